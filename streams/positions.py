"""Where each owned partition stands: what Redis acknowledged, and the next offset the
live stream should deliver."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from streams.processor import Incoming

Partition = tuple[str, int]


@dataclass
class PartitionPositions:
    acknowledged: dict[Partition, int | None] = field(default_factory=dict)
    expected: dict[Partition, int] = field(default_factory=dict)

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

    def admit(self, messages: Sequence[Incoming]) -> list[Incoming]:
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

    def stored(self, last_offsets: Mapping[Partition, int]) -> None:
        """Redis acknowledged these last offsets (one per partition)."""
        for partition, offset in last_offsets.items():
            if self.owns(partition):
                self.acknowledged[partition] = offset

    def lost(self, partition: Partition, held: int | None) -> None:
        """Redis holds only `held`, less than it had acknowledged."""
        if self.owns(partition):
            self.acknowledged[partition] = held
