"""What the checkpointer records of its Merkle tree, in the audit topic and in Redis.

In `pantau.audit`, beside the chains' checkpoints (keyed by partition label):

- key `tlog:leaves`: a `LeafBatch`, where each leaf of a range of the tree came from;
- key `tlog:checkpoint`: a signed checkpoint note (C2SP tlog-checkpoint), as served.

In Redis (KeySpace.audit_tree): the `TreeHead`, where the tree stands.
"""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import BaseModel

from pantau.tlog.compact import CompactRange

LEAVES_KEY = b"tlog:leaves"
CHECKPOINT_KEY = b"tlog:checkpoint"
TREE_KEYS = (LEAVES_KEY, CHECKPOINT_KEY)

Run = tuple[str, int, int]  # (partition label, first offset, how many consecutive offsets)


class LeafBatch(BaseModel):
    """Leaves [first_index, size) of the tree: the records of `runs`, in that order.

    A batch recorded again from the same first index (after a crash between the topic
    and Redis) replaces the earlier one: it is the one the tree's head moved on."""

    first_index: int
    runs: list[Run]
    size: int
    root: str  # base64 root of the tree of `size` leaves
    recorded_at: datetime

    def locations(self) -> list[tuple[int, str, int]]:
        """(leaf index, partition label, offset) of each leaf of the batch."""
        found = []
        index = self.first_index
        for label, first, count in self.runs:
            for offset in range(first, first + count):
                found.append((index, label, offset))
                index += 1
        return found


class TreeHead(BaseModel):
    """Where the tree stands: its right edge (CompactRange.to_bytes, base64) and, per
    partition label, the next offset it takes."""

    edge: str
    next_offsets: dict[str, int]

    def compact_range(self) -> CompactRange:
        return CompactRange.from_bytes(base64.b64decode(self.edge))

    @classmethod
    def of(cls, edge: CompactRange, next_offsets: dict[str, int]) -> TreeHead:
        return cls(edge=base64.b64encode(edge.to_bytes()).decode(), next_offsets=next_offsets)
