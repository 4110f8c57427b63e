"""Reading topics back in tests, with aiokafka as the stream agents will."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from pantau.contract.settings import Settings
from pantau.contract.topics import ALL_TOPICS


async def consume_until(
    settings: Settings,
    topic: str,
    done: Callable[[list[Any]], bool],
    *,
    timeout: float = 60.0,
) -> list[Any]:
    """Every record of `topic` from the start, read until `done(records)` is true."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while not done(records):
                batch = await consumer.getmany(timeout_ms=500)
                for partition_records in batch.values():
                    records.extend(partition_records)
    finally:
        await consumer.stop()
    return records


async def read_to_end(settings: Settings, topic: str, timeout: float = 120.0) -> list[Any]:
    """Every record the topic holds now, in partition and offset order."""
    spec = next(spec for spec in ALL_TOPICS if spec.name == topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(spec.partitions)]
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    total = sum(ends.values())
    records = await consume_until(settings, topic, lambda seen: len(seen) >= total, timeout=timeout)
    return sorted(records, key=lambda r: (r.partition, r.offset))
