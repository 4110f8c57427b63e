"""Faults against the real services, each ending with the live state equal to a rebuild
from the log: a worker frozen past its session, Redis killed and restarted from its AOF,
Redis unreachable behind a faulty link, the Kafka broker killed mid-stream, duplicates
replayed in bulk, and fuzzed messages (every one applied or dead-lettered)."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bench.workers import wait_serving
from pantau.contract.events import AnyEvent, EventKind
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, DEADLETTER, EVENT_TOPICS
from pantau.contract.wire import EitherEvent
from pantau.publisher import EventPublisher, PublishError
from pantau.state.decode import Rejection, decode
from pantau.state.service_fields import ServiceClock
from pantau.state.store import PartitionBatch, StateStore
from producers.simulator.feed import SimulationConfig, city_feed
from tests.integration import stack_control
from tests.integration.kafka_helpers import read_to_end
from tests.integration.redis_copy import RedisCopy, copy_prefix, put_back
from tests.integration.tcp_proxy import FaultyProxy
from tests.integration.worker_helpers import (
    PROFILE,
    START,
    assert_same_state,
    publish_feed,
    read_redis_state,
    rebuild_from_log,
    start_worker,
    stop,
    wait_caught_up,
)


def _counter(port: int, name: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    )


def _partitions(port: int) -> list[str]:
    return list(httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()["partitions"])


def _feed_in_background(settings: Settings, seed: int, count: int) -> threading.Thread:
    # Steady traffic (about 100 events every 0.2 s) so that faults land mid-stream.
    feeder = threading.Thread(target=publish_feed, args=(settings, seed, count, 100, 0.2))
    feeder.start()
    return feeder


async def test_worker_frozen_past_its_session_then_thawed(
    live_stack: Settings, worker_log: Path
) -> None:
    """SIGSTOP for longer than the session timeout: the peer takes every partition; the
    frozen worker wakes with a stale batch, which the offset guard refuses."""
    frozen = start_worker(live_stack, "pantau-f-stop", "f-stop", 16610, worker_log)
    peer = start_worker(live_stack, "pantau-f-stop", "f-stop", 16611, worker_log)
    try:
        wait_serving(16610)
        wait_serving(16611)
        feeder = _feed_in_background(live_stack, 501, 6000)
        time.sleep(3)
        frozen.send_signal(signal.SIGSTOP)
        time.sleep(15)  # the session timeout is 6 s
        taken_over = _partitions(16611)
        frozen.send_signal(signal.SIGCONT)
        feeder.join()
        await wait_caught_up(live_stack, "pantau-f-stop", timeout=180)
        every_partition = sum(spec.partitions for spec in EVENT_TOPICS.values())
        assert len(taken_over) == every_partition, taken_over
        assert frozen.poll() is None and peer.poll() is None
        assert_same_state(
            read_redis_state(live_stack, "pantau-f-stop"), await rebuild_from_log(live_stack)
        )
    finally:
        os.kill(frozen.pid, signal.SIGCONT)
        stop(frozen)
        stop(peer)


async def test_redis_killed_and_restarted_from_its_append_only_file(
    live_stack: Settings, worker_log: Path
) -> None:
    worker = start_worker(live_stack, "pantau-f-redis", "f-redis", 16612, worker_log)
    try:
        wait_serving(16612)
        feeder = _feed_in_background(live_stack, 502, 6000)
        for _ in range(2):
            time.sleep(3)
            stack_control.kill(live_stack, "redis")
            time.sleep(4)  # unreachable for a while: the worker waits
            assert worker.poll() is None, "the worker must wait for Redis, not exit"
            stack_control.restart(live_stack)
        feeder.join()
        await wait_caught_up(live_stack, "pantau-f-redis", timeout=180)
        assert worker.poll() is None
        assert _counter(16612, "pantau_redis_retries_total") > 0
        assert_same_state(
            read_redis_state(live_stack, "pantau-f-redis"), await rebuild_from_log(live_stack)
        )
    finally:
        stop(worker)


async def test_redis_restarted_from_its_append_only_file_keeps_every_batch(
    live_stack: Settings,
) -> None:
    """Each batch is one Lua script, written to the AOF as one MULTI/EXEC block. With the
    default user disabled and without rights, Redis 7 dropped every such block when it
    replayed the file (redis/redis#14541): a restart lost all of the state."""
    complaints = [
        e
        for e in itertools.islice(city_feed(PROFILE, SimulationConfig(START, seed=508)), 1500)
        if e.kind == EventKind.COMPLAINT.value
    ]
    client = aioredis.Redis.from_url(live_stack.redis_url.get_secret_value())
    store = StateStore(client, KeySpace("pantau-f-aof"), PROFILE.timezone, ServiceClock.of(PROFILE))
    try:
        for first in range(0, len(complaints), 50):
            events: list[tuple[int, EitherEvent]] = list(
                enumerate(complaints[first : first + 50], start=first)
            )
            await store.commit([PartitionBatch(COMPLAINTS.name, 0, events[-1][0], events)])
    finally:
        await client.aclose()
    before = copy_prefix(live_stack, "pantau-f-aof")
    time.sleep(2.5)  # past `appendfsync everysec`: every acknowledged write is in the file
    stack_control.kill(live_stack, "redis")
    stack_control.restart(live_stack)
    # One record per complaint (its events are status changes) and the offset.
    assert len(before.strings) == len({e.entity_id for e in complaints}) + 1 and before.hashes
    assert copy_prefix(live_stack, "pantau-f-aof") == before


async def test_redis_restored_from_an_older_copy_is_repaired_from_the_log(
    live_stack: Settings, worker_log: Path
) -> None:
    """Redis comes back holding less than it acknowledged: the partitions still fed are
    refused at their next batch, the idle ones are found by the audit; for both the
    difference is read back from the log. Without this the idle ones stayed behind."""
    worker = start_worker(live_stack, "pantau-f-older", "f-older", 16615, worker_log)
    try:
        wait_serving(16615)
        publish_feed(live_stack, 505, 1500, 100, 0.05)
        await wait_caught_up(live_stack, "pantau-f-older")
        older = copy_prefix(live_stack, "pantau-f-older")
        publish_feed(live_stack, 506, 1500, 100, 0.05)
        await wait_caught_up(live_stack, "pantau-f-older")
        moved = (
            _offsets(copy_prefix(live_stack, "pantau-f-older")).items() - _offsets(older).items()
        )
        put_back(live_stack, "pantau-f-older", older)  # the partitions that moved fall behind
        publish_feed(live_stack, 507, 300, 100, 0.05)
        await wait_caught_up(live_stack, "pantau-f-older", timeout=60)
        assert len(moved) >= 6
        assert _counter(16615, "pantau_redis_rewinds_total") == len(moved)
        assert _counter(16615, "pantau_read_back_messages_total") > 0
        assert worker.poll() is None
        assert_same_state(
            read_redis_state(live_stack, "pantau-f-older"), await rebuild_from_log(live_stack)
        )
    finally:
        stop(worker)


def _offsets(copy: RedisCopy) -> dict[bytes, bytes]:
    return {key: value for key, value in copy.strings.items() if key.endswith(b":offset")}


async def test_a_faulty_link_to_redis_delays_cuts_and_stalls_without_loss(
    live_stack: Settings, worker_log: Path
) -> None:
    host, port = live_stack.redis_address
    with FaultyProxy(16620, host, port) as proxy:
        through_proxy = live_stack.model_copy(
            update={"redis_url": _redis_url_via(live_stack, 16620)}
        )
        worker = start_worker(through_proxy, "pantau-f-link", "f-link", 16613, worker_log)
        try:
            wait_serving(16613)
            feeder = _feed_in_background(live_stack, 503, 6000)
            time.sleep(2)
            proxy.delay(0.2)
            time.sleep(4)
            proxy.heal()
            proxy.cut()
            time.sleep(2)
            proxy.cut()
            proxy.stall()  # longer than the worker's 10 s socket timeout
            time.sleep(14)
            proxy.heal()
            feeder.join()
            await wait_caught_up(live_stack, "pantau-f-link", timeout=180)
            assert worker.poll() is None
            assert proxy.connections_cut > 0
            assert _counter(16613, "pantau_redis_retries_total") > 0
            assert_same_state(
                read_redis_state(live_stack, "pantau-f-link"), await rebuild_from_log(live_stack)
            )
        finally:
            stop(worker)


def _redis_url_via(settings: Settings, port: int) -> SecretStr:
    host, real_port = settings.redis_address
    url = settings.redis_url.get_secret_value()
    return SecretStr(url.replace(f"{host}:{real_port}", f"127.0.0.1:{port}"))


async def test_kafka_broker_killed_mid_stream_loses_no_acknowledged_event(
    live_stack: Settings, worker_log: Path
) -> None:
    worker = start_worker(live_stack, "pantau-f-kafka", "f-kafka", 16614, worker_log)
    acknowledged: list[str] = []
    feeder = threading.Thread(
        target=lambda: acknowledged.extend(publish_feed(live_stack, 504, 6000, 100, 0.2))
    )
    try:
        wait_serving(16614)
        feeder.start()
        time.sleep(4)
        stack_control.kill(live_stack, "kafka")
        time.sleep(6)
        stack_control.restart(live_stack)
        feeder.join()
        assert len(acknowledged) == 6000, "the publisher waited out the outage"
        logged = await _event_ids_in_log(live_stack, set(acknowledged))
        missing = set(acknowledged) - set(logged)
        assert not missing, f"{len(missing)} acknowledged events are not in the log"
        duplicated = [event_id for event_id in set(acknowledged) if logged.count(event_id) > 1]
        assert not duplicated, "the idempotent producer wrote no event twice"
        await wait_caught_up(live_stack, "pantau-f-kafka", timeout=180)
        assert worker.poll() is None
        assert_same_state(
            read_redis_state(live_stack, "pantau-f-kafka"), await rebuild_from_log(live_stack)
        )
    finally:
        if feeder.is_alive():
            feeder.join()
        stack_control.restart(live_stack)
        stop(worker)


async def _event_ids_in_log(settings: Settings, wanted: set[str]) -> list[str]:
    """The ids asked about, once per time they occur in the event topics."""
    found: list[str] = []
    for spec in EVENT_TOPICS.values():
        for record in await read_to_end(settings, spec.name):
            try:
                event_id = json.loads(record.value)["event_id"]
            except (ValueError, KeyError, TypeError):
                continue  # other tests' malformed messages
            if event_id in wanted:
                found.append(event_id)
    return found


def test_a_publisher_fails_loudly_naming_events_when_the_broker_stays_down(
    live_stack: Settings,
) -> None:
    events = [e for _, e in zip(range(20), _feed_events(505), strict=False)]
    publisher = EventPublisher(
        live_stack, PROFILE, client_id="test-outage", delivery_timeout_ms=5000
    )
    try:
        publisher.publish(events[0])
        publisher.flush()  # metadata known, the broker reachable
        stack_control.kill(live_stack, "kafka")
        for event in events[1:]:
            publisher.publish(event)
        with pytest.raises(PublishError) as raised:
            publisher.flush(timeout=30)
        named = {failure.event_id for failure in raised.value.failures}
        assert named == {event.event_id for event in events[1:]}
    finally:
        stack_control.restart(live_stack)
        publisher.close(timeout=30)


def _feed_events(seed: int) -> Iterator[AnyEvent]:
    return iter(city_feed(PROFILE, SimulationConfig(START, seed=seed)))


async def test_duplicates_replayed_in_bulk_change_no_figure(
    live_stack: Settings, worker_log: Path
) -> None:
    publish_feed(live_stack, 506, 3000)
    worker = start_worker(live_stack, "pantau-f-dup", "f-dup", 16615, worker_log)
    try:
        await wait_caught_up(live_stack, "pantau-f-dup", timeout=180)
        before = read_redis_state(live_stack, "pantau-f-dup")
        events_before = _counter(16615, "pantau_events_total")
        replayed = 0
        producer = KafkaProducer(bootstrap_servers=live_stack.kafka_bootstrap, acks="all")
        for spec in EVENT_TOPICS.values():
            # Everything of the small topics, the first 4,000 complaints' events.
            for record in (await read_to_end(live_stack, spec.name))[:4000]:
                producer.send(spec.name, key=record.key, value=record.value)
                replayed += 1
        producer.flush()
        producer.close()
        await wait_caught_up(live_stack, "pantau-f-dup", timeout=180)
        after = read_redis_state(live_stack, "pantau-f-dup")
        assert after.records == before.records
        assert after.aggregates == before.aggregates
        assert replayed >= 3000  # at least this test's own feed, all of it again
        assert _counter(16615, "pantau_events_total") - events_before >= replayed
        assert_same_state(after, await rebuild_from_log(live_stack))
    finally:
        stop(worker)


def _mutants(seed: int, count: int) -> dict[bytes, bytes | None]:
    """Broken variants of real events, each kind of damage the decode fuzzers try."""
    chooser = random.Random(seed)
    valid = [
        e.model_dump_json().encode() for _, e in zip(range(count), _feed_events(seed), strict=False)
    ]
    damages: list[Callable[[bytes], bytes]] = [
        lambda raw: raw[: chooser.randrange(len(raw))],
        lambda raw: raw.replace(b'"', b"\xff", 1),
        lambda raw: raw[:10] + bytes([chooser.randrange(256)]) + raw[11:],
        lambda raw: raw.replace(
            b'"status":"', b'"status":' + b"[" * 60 + b"1" + b"]" * 60 + b',"x":"', 1
        ),
        lambda raw: raw.replace(b'"schema_version":1', b'"schema_version":1e400', 1),
        lambda raw: raw.replace(b'"schema_version":1', b'"schema_version":NaN', 1),
        lambda raw: raw.replace(b'"kind":"', b'"kind":"x', 1),
        lambda raw: raw.rstrip(b"}") + b',"pad":"' + b"x" * 70_000 + b'"}',
        lambda raw: b"[" * 100_000,
        lambda raw: b"",
    ]
    mutants: dict[bytes, bytes | None] = {b"fuzz-tombstone": None}
    for number, raw in enumerate(valid):
        mutants[f"fuzz-{number}".encode()] = damages[number % len(damages)](raw)
    return mutants


async def test_fuzzed_messages_are_applied_or_dead_lettered_and_none_is_lost(
    live_stack: Settings, worker_log: Path
) -> None:
    mutants = _mutants(507, 400)
    producer = KafkaProducer(
        bootstrap_servers=live_stack.kafka_bootstrap, acks="all", max_request_size=2**20
    )
    for key, value in mutants.items():
        producer.send(COMPLAINTS.name, key=key, value=value)
    producer.flush()
    producer.close()
    worker = start_worker(live_stack, "pantau-f-fuzz", "f-fuzz", 16616, worker_log)
    try:
        await wait_caught_up(live_stack, "pantau-f-fuzz", timeout=180)
        assert worker.poll() is None
        expected = {}
        for key, value in mutants.items():
            outcome = decode(value, EventKind.COMPLAINT, PROFILE)
            if isinstance(outcome, Rejection):
                expected[key] = outcome.reason.value
        dead = {
            record.key: dict(record.headers)["pantau-dlq-reason"].decode()
            for record in await read_to_end(live_stack, DEADLETTER.name)
            if record.key in mutants
        }
        assert dead == expected, "every rejected mutant, and only those, dead-lettered"
        assert len(expected) > 300 and len(set(expected.values())) >= 4
        assert_same_state(
            read_redis_state(live_stack, "pantau-f-fuzz"), await rebuild_from_log(live_stack)
        )
    finally:
        stop(worker)
