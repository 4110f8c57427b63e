"""The records a worker itself committed, kept so that a batch need not read them back.

Redis stays the truth: a partition's cached records are used only together with the
offset the worker last saw Redis hold for it, and the commit script refuses the batch
unless Redis still holds exactly that offset (another worker took the partition over, or
Redis lost writes). A refused batch drops the partition's cache and reads Redis again.

A partition whose cache began with Redis holding nothing for it, and has lost nothing
to the size bound since, is complete: an entity missing from it is missing from Redis,
so new entities need no read either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pantau.contract.topics import Partition
from pantau.state.records import Record


@dataclass
class CachedPartition:
    offset: int | None  # what Redis holds for the partition, as last written or read
    complete: bool  # every record Redis holds for the partition is in `records`
    records: dict[str, Record] = field(default_factory=dict)


class RecordCache:
    """At most `limit` records over all partitions; the oldest written go first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._partitions: dict[Partition, CachedPartition] = {}
        self._size = 0

    def get(self, partition: Partition) -> CachedPartition | None:
        return self._partitions.get(partition)

    def forget(self, partition: Partition) -> None:
        dropped = self._partitions.pop(partition, None)
        if dropped is not None:
            self._size -= len(dropped.records)

    def start(self, partition: Partition, offset: int | None) -> CachedPartition:
        """Begin caching `partition`, which Redis holds at `offset`, from its next batch."""
        self.forget(partition)
        cached = CachedPartition(offset, complete=offset is None)
        if self.limit > 0:
            self._partitions[partition] = cached
        return cached

    def committed(self, partition: Partition, offset: int, changed: dict[str, Record]) -> None:
        """Redis acknowledged a batch of `partition` through `offset` with `changed`."""
        cached = self._partitions.get(partition)
        if cached is None:
            return
        cached.offset = offset
        records = cached.records
        before = len(records)
        for entity, record in changed.items():
            # Re-inserted at the end: the dict's order is the order of last writes.
            records.pop(entity, None)
            records[entity] = record
        self._size += len(records) - before
        while self._size > self.limit:
            self._shrink()

    def _shrink(self) -> None:
        # Drop the oldest quarter of the largest partition's records at once, so the
        # bound costs one pass now and then rather than a little on every write.
        largest = max(self._partitions.values(), key=lambda p: len(p.records))
        drop = max(1, len(largest.records) // 4)
        for entity in list(largest.records)[:drop]:
            del largest.records[entity]
        largest.complete = False
        self._size -= drop
