"""The worker's lag as the wall sees it from outside: each event topic's end offsets in
Kafka against the offsets the workers committed into Redis, and, when events wait, when
the oldest of them reached Kafka (its record's timestamp).

One task reads every few seconds and keeps the last reading; every snapshot takes it from
memory, so Kafka is asked once per interval however often the figures change. A reading
that fails keeps the one before (freshness.py decides when that is too old to trust). No
worker is asked anything, so a stopped one is seen as clearly as a running one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

import redis.asyncio as aioredis

from dashboards.wall.freshness import LagReading
from dashboards.wall.metrics import WallMetrics
from pantau.contract.keys import KeySpace
from pantau.contract.topics import EVENT_TOPICS, Partition, partitions_of
from pantau.state.lag import Waiting, waiting

log = logging.getLogger("pantau.wall")
READ_EVERY_SECONDS = 3.0
# A healthy broker and Redis answer in milliseconds; one that takes longer than this is
# treated as unreachable for the reading, which the next one tries again.
READ_TIMEOUT_SECONDS = 5.0

StoredOffsets = Callable[[Sequence[Partition]], Awaitable[dict[Partition, int | None]]]


class TopicOffsets(Protocol):
    """What the reader asks Kafka (dashboards/wall/kafka_offsets.py)."""

    async def ends(self, partitions: Sequence[Partition]) -> dict[Partition, int]: ...

    async def starts(self, partitions: Sequence[Partition]) -> dict[Partition, int]: ...

    async def arrivals(self, offsets: Mapping[Partition, int]) -> dict[Partition, datetime]:
        """When the record at each offset reached Kafka, for those found in time."""
        ...

    async def reset(self) -> None:
        """Drop the connection after a failure; the next call makes a new one."""
        ...


def redis_offsets(client: aioredis.Redis, keys: KeySpace) -> StoredOffsets:
    """The offsets the workers committed, in one round trip."""

    async def read(partitions: Sequence[Partition]) -> dict[Partition, int | None]:
        raw = await client.mget([keys.offset(*partition) for partition in partitions])
        return {p: None if v is None else int(v) for p, v in zip(partitions, raw, strict=True)}

    return read


def _now() -> datetime:
    return datetime.now(UTC)


class LagReader:
    def __init__(
        self,
        kafka: TopicOffsets,
        stored: StoredOffsets,
        metrics: WallMetrics | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.kafka = kafka
        self.stored = stored
        self.metrics = metrics
        self.clock = clock
        self.partitions = partitions_of(*EVENT_TOPICS.values())
        self.latest: LagReading | None = None
        self.last_commit_at: datetime | None = None
        self._committed: dict[Partition, int | None] | None = None
        # (partition, first offset waiting) -> when that record reached Kafka, or, where
        # Kafka did not say in time, when a reading first found it waiting.
        self._arrivals: dict[tuple[Partition, int], datetime] = {}
        self._seen: dict[tuple[Partition, int], datetime] = {}
        self._failing = False  # said once in the log, not at every reading

    async def read_forever(self) -> None:
        while True:
            await self.read()
            await asyncio.sleep(READ_EVERY_SECONDS)

    async def read(self) -> bool:
        """One reading; False (and the last reading kept) when Kafka or Redis failed."""
        now = self.clock()
        try:
            async with asyncio.timeout(READ_TIMEOUT_SECONDS):
                reading = await self._read(now)
        except Exception as error:  # any failure of either side: the lag is not known now
            if not self._failing:
                log.warning("consumer lag not readable (%s: %s)", type(error).__name__, error)
            self._failing = True
            await self.kafka.reset()
            return False
        if self._failing:
            log.info("consumer lag readable again")
        self._failing = False
        self.latest = reading
        if self.metrics is not None:
            for spec in EVENT_TOPICS.values():
                self.metrics.events_behind.labels(spec.name).set(reading.behind.get(spec.name, 0))
            self.metrics.lag_read.set(reading.read_at.timestamp())
        return True

    async def _read(self, now: datetime) -> LagReading:
        # Kafka first, then Redis: an event that arrives between the two and is applied at
        # once is never counted as waiting.
        ends = await self.kafka.ends(self.partitions)
        stored = await self.stored(self.partitions)
        unwritten = [p for p in self.partitions if stored.get(p) is None]
        starts = await self.kafka.starts(unwritten) if unwritten else {}
        if self._committed is not None and stored != self._committed:
            self.last_commit_at = now
        self._committed = stored
        late = waiting(ends, stored, starts)
        behind: dict[str, int] = {}
        for partition, wait in late.items():
            behind[partition.topic] = behind.get(partition.topic, 0) + wait.count
        return LagReading(now, behind, await self._oldest(late, now))

    async def _oldest(self, late: Mapping[Partition, Waiting], now: datetime) -> datetime | None:
        """When the oldest waiting event reached Kafka. Each partition's first waiting
        record is asked for once, however many readings find it still waiting."""
        keys = {(partition, wait.first) for partition, wait in late.items()}
        self._arrivals = {key: at for key, at in self._arrivals.items() if key in keys}
        self._seen = {key: self._seen.get(key, now) for key in keys}
        unknown = {partition: first for partition, first in keys - self._arrivals.keys()}
        if unknown:
            found = await self.kafka.arrivals(unknown)
            self._arrivals.update({(p, unknown[p]): at for p, at in found.items()})
        times = [self._arrivals.get(key, self._seen[key]) for key in keys]
        return min(times, default=None)
