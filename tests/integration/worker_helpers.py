"""Running real workers in tests and comparing what they wrote with a rebuild from the log."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import redis
from aiokafka import AIOKafkaConsumer, TopicPartition

from pantau.contract.city import load_city_profile
from pantau.contract.events import EventKind
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS, Partition
from pantau.publisher import EventPublisher
from pantau.state.codec import decode_record
from pantau.state.decode import Rejection, decode
from pantau.state.memory import MemoryState
from pantau.state.service_fields import ServiceClock
from producers.simulator.feed import SimulationConfig, city_feed

PROFILE = load_city_profile("mojokerto")
START = datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Jakarta"))


def publish_feed(
    settings: Settings, seed: int, count: int, pause_every: int = 0, pause: float = 0.05
) -> list[str]:
    """Publish `count` events of the city simulator; the ids of every acknowledged one."""
    events = itertools.islice(city_feed(PROFILE, SimulationConfig(START, seed=seed)), count)
    published = []
    with EventPublisher(settings, PROFILE, client_id=f"test-feed-{seed}") as publisher:
        for number, event in enumerate(events, start=1):
            publisher.publish(event)
            published.append(event.event_id)
            if pause_every and number % pause_every == 0:
                publisher.flush()
                time.sleep(pause)
    return published


def worker_env(settings: Settings, prefix: str, group: str, web_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
        "PANTAU_REDIS_PREFIX": prefix,
        "PANTAU_WORKER_GROUP": group,
        "PANTAU_WORKER_WEB_PORT": str(web_port),
        "PANTAU_WORKER_SESSION_TIMEOUT": "6",
        **_kafka_security_env(settings),
    }


def _kafka_security_env(settings: Settings) -> dict[str, str]:
    if settings.kafka_security == "plaintext" or settings.kafka_sasl_password is None:
        return {}
    return {
        "PANTAU_KAFKA_SECURITY": settings.kafka_security,
        "PANTAU_KAFKA_SASL_USERNAME": settings.kafka_sasl_username,
        "PANTAU_KAFKA_SASL_PASSWORD": settings.kafka_sasl_password.get_secret_value(),
        "PANTAU_KAFKA_SSL_CAFILE": str(settings.kafka_ssl_cafile or ""),
    }


def start_worker(
    settings: Settings, prefix: str, group: str, web_port: int, log: Path, loglevel: str = "warn"
) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "pantau", "run", "worker", "--loglevel", loglevel],
            env=worker_env(settings, prefix, group, web_port),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def end_offsets(settings: Settings) -> dict[Partition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(spec.name, p)
            for spec in EVENT_TOPICS.values()
            for p in range(spec.partitions)
        ]
        ends = await consumer.end_offsets(partitions)
        return {Partition(tp.topic, tp.partition): offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def wait_caught_up(settings: Settings, prefix: str, timeout: float = 120) -> None:
    """Until Redis says every message now in the event topics has been applied."""
    ends = await end_offsets(settings)
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    keys = KeySpace(prefix)
    deadline = time.monotonic() + timeout
    try:
        while True:
            behind = {}
            for (topic, partition), end in ends.items():
                stored = client.get(keys.offset(topic, partition))
                if end > 0 and (stored is None or int(stored) < end - 1):
                    behind[f"{topic}[{partition}]"] = (
                        None if stored is None else int(stored),
                        end - 1,
                    )
            if not behind:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"worker did not catch up: {behind}")
            await asyncio.sleep(0.25)
    finally:
        client.close()


async def rebuild_from_log(settings: Settings) -> MemoryState:
    """Every valid event of the event topics, folded per partition in offset order."""
    state = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE))
    ends = await end_offsets(settings)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False, max_poll_records=5000
    )
    await consumer.start()
    kinds = {spec.name: kind for kind, spec in EVENT_TOPICS.items()}
    try:
        for (topic, partition), end in ends.items():
            if end == 0:
                continue
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            consumer.seek(tp, 0)
            events: list[Any] = []
            position = 0
            deadline = time.monotonic() + 60
            while position < end:
                assert time.monotonic() < deadline, f"could not read {topic}[{partition}] to {end}"
                batch = await consumer.getmany(tp, timeout_ms=1000)
                for record in batch.get(tp, []):
                    position = record.offset + 1
                    if record.offset >= end:
                        break
                    outcome = decode(record.value, EventKind(kinds[topic]), PROFILE)
                    if not isinstance(outcome, Rejection):
                        events.append(outcome)
            state.apply(topic, partition, events)
    finally:
        await consumer.stop()
    return state


def read_redis_state(settings: Settings, prefix: str) -> MemoryState:
    """What the workers wrote, in the shape of a rebuild, for a direct comparison."""
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    keys = KeySpace(prefix)
    state = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE))
    try:
        for spec in EVENT_TOPICS.values():
            for partition in range(spec.partitions):
                shard = keys.shard(spec.name, partition)
                records, aggregates = {}, {}
                for key in client.scan_iter(match=f"{shard}:*", count=1000):
                    name = bytes(key).decode()[len(shard) + 1 :]
                    if name.startswith("rec:"):
                        records[name[4:]] = decode_record(client.get(key))  # type: ignore[arg-type]
                    elif name.startswith("agg:"):
                        fields: dict[bytes, bytes] = client.hgetall(key)  # type: ignore[assignment]
                        aggregates[name[4:]] = Counter(
                            {f.decode(): int(v) for f, v in fields.items()}
                        )
                if records:
                    state.records[Partition(spec.name, partition)] = records
                if aggregates:
                    state.aggregates[Partition(spec.name, partition)] = aggregates
    finally:
        client.close()
    return state


def assert_same_state(live: MemoryState, rebuilt: MemoryState) -> None:
    # A partition that holds only rejected messages is an empty shard in the rebuild and
    # no keys at all in Redis: both mean nothing applied.
    for state in (live, rebuilt):
        state.records = {shard: r for shard, r in state.records.items() if r}
        state.aggregates = {shard: a for shard, a in state.aggregates.items() if a}
    assert live.records.keys() == rebuilt.records.keys(), (
        f"shards only in Redis: {sorted(live.records.keys() - rebuilt.records.keys())}, "
        f"only in the rebuild: {sorted(rebuilt.records.keys() - live.records.keys())}"
    )
    for shard in rebuilt.records:
        assert live.records[shard] == rebuilt.records[shard], f"records of {shard} differ"
    only_live = live.aggregates.keys() - rebuilt.aggregates.keys()
    only_rebuilt = rebuilt.aggregates.keys() - live.aggregates.keys()
    assert not only_live and not only_rebuilt, (
        f"aggregate shards only in Redis: {sorted(only_live)}, "
        f"only in the rebuild: {sorted(only_rebuilt)}"
    )
    for shard in rebuilt.aggregates:
        assert live.aggregates[shard] == rebuilt.aggregates[shard], f"aggregates of {shard} differ"
