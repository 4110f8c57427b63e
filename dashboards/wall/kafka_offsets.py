"""What the wall's lag reader asks Kafka: end and start offsets, and when a record reached
Kafka. One consumer with no group (it commits nothing and takes no partition from the
workers), made on first use and again after a failure."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from pantau.contract.connections import kafka_options
from pantau.contract.settings import Settings
from pantau.contract.topics import Partition

# Only one record of each partition is wanted: small fetches keep a reading cheap however
# far behind the worker is.
FETCH_BYTES = 64 * 1024
# The lag reader gives a whole reading a few seconds; the records' times must fit in it.
ARRIVAL_WAIT_SECONDS = 2.0


class KafkaTopicOffsets:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._consumer: AIOKafkaConsumer | None = None

    async def _client(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.settings.kafka_bootstrap,
                **kafka_options(self.settings),
                group_id=None,
                enable_auto_commit=False,
                client_id="pantau-wall-lag",
                max_partition_fetch_bytes=FETCH_BYTES,
                fetch_max_bytes=FETCH_BYTES * 16,
            )
            self._consumer = consumer  # kept even half-started, so reset() stops it
            await consumer.start()
        return self._consumer

    async def ends(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        consumer = await self._client()
        return _by_partition(await consumer.end_offsets([TopicPartition(*p) for p in partitions]))

    async def starts(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        consumer = await self._client()
        found = await consumer.beginning_offsets([TopicPartition(*p) for p in partitions])
        return _by_partition(found)

    async def arrivals(self, offsets: Mapping[Partition, int]) -> dict[Partition, datetime]:
        consumer = await self._client()
        wanted = {TopicPartition(*p): offset for p, offset in offsets.items()}
        consumer.assign(list(wanted))
        for tp, offset in wanted.items():
            consumer.seek(tp, offset)
        found: dict[Partition, datetime] = {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ARRIVAL_WAIT_SECONDS
        try:
            while len(found) < len(wanted) and loop.time() < deadline:
                batches = await consumer.getmany(timeout_ms=250)
                for tp, records in batches.items():
                    if records:
                        found.setdefault(Partition(tp.topic, tp.partition), _arrival(records[0]))
        finally:
            consumer.unsubscribe()  # no fetching in the background until the next time
        return found

    async def reset(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            with contextlib.suppress(Exception):  # it failed already; only let it go
                await consumer.stop()


def _arrival(record: ConsumerRecord[bytes, bytes]) -> datetime:
    # CreateTime as Pantau's producers set it (the time of the send), or the broker's
    # LogAppendTime where a topic is so configured: either is when the event reached Kafka.
    return datetime.fromtimestamp(record.timestamp / 1000, UTC)


def _by_partition(offsets: Mapping[TopicPartition, int]) -> dict[Partition, int]:
    return {Partition(tp.topic, tp.partition): offset for tp, offset in offsets.items()}
