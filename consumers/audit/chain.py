"""The hash chain over each partition's events: a digest of each event's canonical JSON,
each link the hash of the link before and the event's digest.

Offsets are not hashed, so a faithful copy of the log (another topic, an export) verifies
alike; order is, through the chain. Digests are 128-bit (SHA-256 truncated): enough to
make an unnoticed change infeasible, small enough to record one per event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

DIGEST_BYTES = 16
GENESIS = "00" * DIGEST_BYTES


def canonical(value: bytes | None) -> bytes:
    """Sorted keys, no spaces, UTF-8; what does not parse as JSON is hashed as it is."""
    if value is None:
        return b""
    # Any bytes may sit in the log (a producer's mistake, an attack): too deeply nested
    # for the parser is as unparsable as broken JSON, and must not stop the chain.
    try:
        document = json.loads(value)
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return value
    return text.encode()


def digest(value: bytes | None) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()[: 2 * DIGEST_BYTES]


def link(previous: str, event_digest: str) -> str:
    joined = bytes.fromhex(previous) + bytes.fromhex(event_digest)
    return hashlib.sha256(joined).hexdigest()[: 2 * DIGEST_BYTES]


def fold(previous: str, digests: Iterable[str]) -> str:
    head = previous
    for event_digest in digests:
        head = link(head, event_digest)
    return head


class Checkpoint(BaseModel):
    """The chain of one partition over [first_offset, last_offset], as recorded."""

    topic: str
    partition: int
    first_offset: int
    last_offset: int
    offsets: list[int] | None = None  # only when the range has gaps (transaction markers)
    previous_hash: str
    hash: str
    digests: list[str]
    recorded_at: datetime

    @property
    def shard(self) -> str:
        return f"{self.topic}[{self.partition}]"

    def covered(self) -> list[tuple[int, str]]:
        """(offset, digest) of each event the checkpoint vouches for."""
        offsets = self.offsets or range(self.first_offset, self.last_offset + 1)
        return list(zip(offsets, self.digests, strict=True))


class ChainHead(BaseModel):
    """Where the checkpointer stands in one partition: the next offset and the chain so far."""

    next_offset: int = 0
    hash: str = GENESIS


def checkpoint_of(
    topic: str, partition: int, previous_hash: str, items: list[tuple[int, str]], at: datetime
) -> Checkpoint:
    """The checkpoint over `items` ((offset, digest) in log order), continuing a chain."""
    offsets = [offset for offset, _ in items]
    contiguous = offsets == list(range(offsets[0], offsets[-1] + 1))
    digests = [d for _, d in items]
    return Checkpoint(
        topic=topic,
        partition=partition,
        first_offset=offsets[0],
        last_offset=offsets[-1],
        offsets=None if contiguous else offsets,
        previous_hash=previous_hash,
        hash=fold(previous_hash, digests),
        digests=digests,
        recorded_at=at,
    )
