"""Which partitions hold events the workers have not applied yet: each partition's end
offset in Kafka against the last offset the workers committed into Redis. The wall
reports it as lag; the spike detector waits for it before judging a minute."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pantau.contract.topics import Partition


@dataclass(frozen=True)
class Waiting:
    first: int  # offset of the first event not applied yet
    count: int


def waiting(
    ends: Mapping[Partition, int],
    stored: Mapping[Partition, int | None],
    starts: Mapping[Partition, int],
) -> dict[Partition, Waiting]:
    """The partitions holding events not applied yet. Redis keeps each partition's last
    applied offset; a partition no worker has written to waits from the log's start."""
    found = {}
    for partition, end in ends.items():
        last = stored.get(partition)
        first = last + 1 if last is not None else starts.get(partition, 0)
        if end > first:
            found[partition] = Waiting(first, end - first)
    return found
