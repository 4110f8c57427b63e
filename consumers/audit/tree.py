"""The checkpointer's Merkle tree: every event it reads becomes one leaf of one RFC 6962
tree (pantau/tlog), in the order it reads them, beside the per-partition chains.

Where each leaf came from is recorded in the audit topic in batches (LeafBatch), so the
order is fixed once and a faithful copy of the log gives the same tree. The tree's head
in Redis (its right edge and, per partition, the next offset it takes) moves only after
its batch is in the topic; full tiles are written as they fill and the partial ones
before the head moves, so a restart resumes the same tree from the tiles and appends
nothing twice. A crash between the topic and Redis appends the same records again from
the same edge, and records their batch again from the same first index.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from pantau.tlog.blinding import derived_salts
from pantau.tlog.checkpoint import Checkpoint, sign_checkpoint
from pantau.tlog.leaf import Leaves
from pantau.tlog.note import Note, Signer
from pantau.tlog.records import LeafBatch, Run, TreeHead
from pantau.tlog.store import CHECKPOINT_FILE, MissingTileError, TileStore
from pantau.tlog.writer import TreeWriter


class TreeStateError(RuntimeError):
    """Redis' head of the tree and the tiles on disk do not describe the same tree."""


class LogTree:
    def __init__(self, writer: TreeWriter, leaves: Leaves, next_offsets: dict[str, int]) -> None:
        self.writer = writer
        self.leaves = leaves
        self.next_offsets = next_offsets
        self._first_index = writer.size
        self._runs: list[Run] = []
        self._since: float | None = None

    @classmethod
    def resume(cls, store: TileStore, secret: bytes, head: TreeHead | None) -> LogTree:
        leaves = Leaves(derived_salts(secret))
        if head is None:
            return cls(TreeWriter(store), leaves, {})
        edge = head.compact_range()
        try:
            writer = TreeWriter.resume(store, edge.size)
        except MissingTileError as error:
            raise TreeStateError(
                f"the tree's head in Redis has {edge.size} leaves but the tile {error} is "
                "missing: restore the tiles folder from a backup of the state folder"
            ) from None
        if writer.root() != edge.root():
            raise TreeStateError(
                f"the tiles give another root at size {edge.size} than Redis' head: restore "
                "the tiles folder from a backup of the state folder"
            )
        return cls(writer, leaves, dict(head.next_offsets))

    @property
    def size(self) -> int:
        return self.writer.size

    @property
    def pending(self) -> int:
        return self.size - self._first_index

    def next_offset(self, label: str) -> int:
        return self.next_offsets.get(label, 0)

    def add(self, label: str, records: Iterable[tuple[int, bytes | None]]) -> None:
        """Append (offset, value) records of one partition, in log order; those below the
        tree's place in the partition (already leaves) are skipped."""
        start = self.next_offset(label)
        fresh = [(offset, value) for offset, value in records if offset >= start]
        if not fresh:
            return
        self.writer.extend(self.leaves.hashes(value or b"" for _, value in fresh))
        runs = _runs_of(label, [offset for offset, _ in fresh])
        if self._runs and _continues(self._runs[-1], runs[0]):
            label_, first, count = self._runs.pop()
            runs[0] = (label_, first, count + runs[0][2])
        self._runs += runs
        self.next_offsets[label] = fresh[-1][0] + 1
        if self._since is None:
            self._since = time.monotonic()

    def due(self, every: int, interval: float) -> bool:
        if not self.pending or self._since is None:
            return False
        return self.pending >= every or time.monotonic() - self._since >= interval

    def batch(self) -> tuple[LeafBatch, TreeHead]:
        """The pending leaves' record and the head to move to once it is in the topic;
        writes the partial tiles that head resumes from."""
        self.writer.write_partials()
        batch = LeafBatch(
            first_index=self._first_index,
            runs=list(self._runs),
            size=self.size,
            root=base64.b64encode(self.writer.root()).decode(),
            recorded_at=datetime.now(UTC),
        )
        return batch, TreeHead.of(self.writer.edge(), dict(self.next_offsets))

    def committed(self) -> None:
        """The batch is in the topic and its head in Redis."""
        self._first_index = self.size
        self._runs = []
        self._since = None

    def sign(self, signer: Signer) -> Note:
        """A signed checkpoint of the committed tree, written beside its tiles."""
        if self.pending:
            raise RuntimeError("a checkpoint covers only leaves whose batch is recorded")
        self.writer.write_partials()
        checkpoint = Checkpoint(signer.name, self.size, self.writer.root())
        note = sign_checkpoint(checkpoint, [signer])
        self.writer.store.write(CHECKPOINT_FILE, note.encode().encode())
        return note


def _runs_of(label: str, offsets: list[int]) -> list[Run]:
    """Consecutive offsets as runs (a transaction's marker leaves a gap)."""
    runs = []
    first = previous = offsets[0]
    for offset in offsets[1:]:
        if offset != previous + 1:
            runs.append((label, first, previous - first + 1))
            first = offset
        previous = offset
    runs.append((label, first, previous - first + 1))
    return runs


def _continues(run: Run, after: Run) -> bool:
    return run[0] == after[0] and run[1] + run[2] == after[1]
