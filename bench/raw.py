"""The raw baseline: a minimal aiokafka consumer doing Pantau's aggregation (the same
decode and folds) with one pipelined Redis write per batch and nothing else: no Faust,
no offset guard, records kept in process memory. The ceiling for Python here."""

from __future__ import annotations

import time

import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer

from pantau.contract.city import CityProfile
from pantau.contract.connections import kafka_options
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS
from pantau.contract.wire import WireEvent
from pantau.state.batch import fold_batch
from pantau.state.codec import encode_record
from pantau.state.decode import Rejection, decode
from pantau.state.records import Record
from pantau.state.service_fields import ServiceClock

FETCH_BYTES = 32 * 1024 * 1024


async def run_raw(settings: Settings, profile: CityProfile, prefix: str, total: int) -> float:
    """Seconds from the first batch until `total` messages are applied."""
    service = ServiceClock.of(profile)
    kinds = {spec.name: kind for kind, spec in EVENT_TOPICS.items()}
    keys = KeySpace(prefix)
    consumer = AIOKafkaConsumer(
        *kinds, bootstrap_servers=settings.kafka_bootstrap, **kafka_options(settings),
        group_id=prefix,
        auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=5000,
        fetch_max_bytes=FETCH_BYTES, max_partition_fetch_bytes=FETCH_BYTES,
    )  # fmt: skip
    client = aioredis.Redis.from_url(settings.redis_url.get_secret_value())
    records: dict[tuple[str, int], dict[str, Record | None]] = {}
    done, first = 0, None
    await consumer.start()
    try:
        while done < total:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if not fetched:
                continue
            first = first or time.perf_counter()
            writes = client.pipeline(transaction=False)
            for tp, messages in fetched.items():
                events: list[WireEvent] = []
                for message in messages:
                    outcome = decode(message.value, kinds[tp.topic], profile)
                    if not isinstance(outcome, Rejection):
                        events.append(outcome)
                known = records.setdefault((tp.topic, tp.partition), {})
                # fold_batch declares the models only (the Structs have the same attributes)
                fold = fold_batch({e.entity_id: known.get(e.entity_id) for e in events},
                                  events, profile.timezone, service)  # fmt: skip
                known.update(fold.changed)
                for entity, record in fold.changed.items():
                    writes.set(keys.record(tp.topic, tp.partition, entity), encode_record(record))
                for suffix, fields in fold.aggregates.items():
                    key = keys.aggregate(tp.topic, tp.partition, suffix)
                    for name, amount in fields.items():
                        writes.hincrby(key, name, amount)
                writes.set(keys.offset(tp.topic, tp.partition), messages[-1].offset)
                done += len(messages)
            await writes.execute()
    finally:
        await consumer.stop()
        await client.aclose()
    return time.perf_counter() - (first or time.perf_counter())
