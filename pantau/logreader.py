"""Reading the event log in bulk: no consumer group, large fetches, one partition at a
time in offset order (the order the worker applied it). The audit reads it whole; the
worker reads back what Redis lost."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime
from types import TracebackType

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from pantau.contract.connections import kafka_options
from pantau.contract.settings import Settings
from pantau.contract.topics import TopicSpec

FETCH_BYTES = 32 * 1024 * 1024
STALL_SECONDS = 60.0


class LogReadError(RuntimeError):
    """The log could not be read to the offset asked for."""


def partitions_of(*topics: TopicSpec) -> list[TopicPartition]:
    return [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]


class LogReader:
    def __init__(self, settings: Settings, client_id: str = "pantau-audit") -> None:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            **kafka_options(settings),
            group_id=None,
            enable_auto_commit=False,
            client_id=client_id,
            fetch_max_bytes=FETCH_BYTES,
            max_partition_fetch_bytes=FETCH_BYTES,
            max_poll_records=20_000,
        )

    async def __aenter__(self) -> LogReader:
        await self.consumer.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.consumer.stop()

    async def bounds(self, tps: list[TopicPartition]) -> dict[TopicPartition, tuple[int, int]]:
        """(first offset, end offset) of each partition: what the log holds now."""
        starts = await self.consumer.beginning_offsets(tps)
        ends = await self.consumer.end_offsets(tps)
        return {tp: (starts[tp], ends[tp]) for tp in tps}

    async def offsets_at(
        self, tps: list[TopicPartition], when: datetime
    ) -> dict[TopicPartition, int]:
        """The first offset appended at or after `when` (the end when none was)."""
        found = await self.consumer.offsets_for_times(
            {tp: int(when.timestamp() * 1000) for tp in tps}
        )
        ends = await self.consumer.end_offsets(tps)
        return {tp: found[tp].offset if found.get(tp) is not None else ends[tp] for tp in tps}

    async def whole(
        self, tps: list[TopicPartition]
    ) -> AsyncIterator[list[ConsumerRecord[bytes, bytes]]]:
        """Batches of everything the partitions hold now, one partition after another."""
        bounds = await self.bounds(tps)
        for tp in tps:
            async for batch in self.read(tp, *bounds[tp]):
                yield batch

    async def read(
        self, tp: TopicPartition, start: int, stop: int
    ) -> AsyncIterator[list[ConsumerRecord[bytes, bytes]]]:
        """Batches of the records in [start, stop)."""
        if start >= stop:
            return
        self.consumer.assign([tp])
        self.consumer.seek(tp, start)
        position = start
        idle_since = time.monotonic()
        while position < stop:
            fetched = await self.consumer.getmany(tp, timeout_ms=2000)
            records = fetched.get(tp, [])
            if records and records[-1].offset >= stop:  # the batch runs past the window
                records = [r for r in records if r.offset < stop]
            if not fetched.get(tp):
                if await self.consumer.position(tp) >= stop:
                    return
                # A broker that went away, or offsets the log no longer holds: say so
                # rather than wait forever.
                if time.monotonic() - idle_since > STALL_SECONDS:
                    raise LogReadError(
                        f"{tp.topic}[{tp.partition}]: nothing read for {STALL_SECONDS:.0f} s "
                        f"at offset {position} of {stop}"
                    )
                continue
            idle_since = time.monotonic()
            position = fetched[tp][-1].offset + 1
            if records:
                yield records
