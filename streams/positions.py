"""Where each owned partition stands: what Redis acknowledged, and the next offset the
live stream should deliver."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pantau.contract.topics import Partition
from streams.processor import Received


@dataclass
class PartitionPositions:
    acknowledged: dict[Partition, int | None] = field(default_factory=dict)
    # Keyed by Partition; `admit` looks entries up with plain (topic, partition) tuples,
    # which hash and compare the same, so no Partition is built per message.
    expected: dict[tuple[str, int], int] = field(default_factory=dict)

    def assign(self, partition: Partition, stored: int | None) -> int:
        """Own `partition` from what Redis holds; returns the offset to read from."""
        self.acknowledged[partition] = stored
        self.expected[partition] = 0 if stored is None else stored + 1
        return self.expected[partition]

    def revoke(self, partitions: Iterable[Partition]) -> None:
        for partition in partitions:
            self.acknowledged.pop(partition, None)
            self.expected.pop(partition, None)

    def owns(self, partition: Partition) -> bool:
        return partition in self.expected

    def admit(self, messages: Sequence[Received]) -> list[Received]:
        """The messages of owned partitions not delivered before, in order. Repeats come
        after a seek at assignment; messages of partitions given away are the new
        owner's to apply."""
        admitted = []
        for message in messages:
            partition = (message.topic, message.partition)
            expected = self.expected.get(partition)
            if expected is not None and message.offset >= expected:
                admitted.append(message)
                self.expected[partition] = message.offset + 1
        return admitted

    def admit_fetch(self, partition: Partition, fetched: Sequence[Received]) -> Sequence[Received]:
        """`admit` for one partition's records in rising offset order: the tail from the
        first offset not delivered before, found without looking at every record."""
        expected = self.expected.get(partition)
        if expected is None or not fetched or fetched[-1].offset < expected:
            return ()
        self.expected[partition] = fetched[-1].offset + 1
        if fetched[0].offset >= expected:
            return fetched
        low, high = 0, len(fetched) - 1
        while low < high:  # the first record at or after `expected`
            middle = (low + high) // 2
            if fetched[middle].offset < expected:
                low = middle + 1
            else:
                high = middle
        return fetched[low:]

    def stored(self, last_offsets: Mapping[Partition, int]) -> None:
        """Redis acknowledged these last offsets (one per partition)."""
        for partition, offset in last_offsets.items():
            if self.owns(partition):
                self.acknowledged[partition] = offset

    def lost(self, partition: Partition, held: int | None) -> None:
        """Redis holds only `held`, less than it had acknowledged."""
        if self.owns(partition):
            self.acknowledged[partition] = held
