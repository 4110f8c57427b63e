"""The stream worker against the real broker and Redis: live state equals a rebuild from
the log, after normal running, after repeated SIGKILLs, and with two workers sharing
the partitions; bad input goes to the dead-letter topic and nothing stops."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import redis
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from bench.workers import wait_serving
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, DEADLETTER, PROGRAMS
from producers.simulator.feed import SimulationConfig, city_feed
from tests.integration.kafka_helpers import consume_until
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


def _metrics(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_worker_state_equals_the_rebuild_and_metrics_show_the_city(
    live_stack: Settings, worker_log: Path, tmp_path: Path
) -> None:
    publish_feed(live_stack, seed=101, count=3000)
    notices = redis.Redis.from_url(live_stack.redis_url.get_secret_value()).pubsub()  # type: ignore[no-untyped-call]
    notices.subscribe(KeySpace("pantau-t-basic").changes_channel)
    worker = start_worker(live_stack, "pantau-t-basic", "pantau-t-basic", 16601, worker_log)
    try:
        await wait_caught_up(live_stack, "pantau-t-basic")
        announced = [notices.get_message(timeout=1.0) for _ in range(50)]
        batches = [json.loads(m["data"]) for m in announced if m and m["type"] == "message"]
        assert batches, "each committed batch announces itself on the changes channel"
        assert {"topic", "partition", "offset"} <= set(batches[0])
        notices.close()
        assert_same_state(
            read_redis_state(live_stack, "pantau-t-basic"), await rebuild_from_log(live_stack)
        )

        health = httpx.get("http://127.0.0.1:16601/health", timeout=10).json()
        assert health["status"] == "ok" and len(health["partitions"]) == 12
        metrics = _metrics(16601)
        realization = ("pantau_program_realization_ratio", (("dimension", "environment"),))
        assert metrics[realization] == pytest.approx(0.8571)
        for dimension in PROFILE.dimensions:
            assert ("pantau_complaints_open", (("dimension", dimension.key.value),)) in metrics
        assert metrics[("pantau_consumer_lag", (("topic", COMPLAINTS.name),))] == 0
        living = ("pantau_indicator_headline_value", (("dimension", "living"),))
        assert metrics[living] == 2.26
        exposition = tmp_path / "metrics.txt"
        exposition.write_text(httpx.get("http://127.0.0.1:16601/metrics").text)
        checked = subprocess.run(
            ["sh", "-c", f"promtool check metrics < {exposition}"], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        stop(worker)


async def test_bad_input_is_dead_lettered_and_the_stream_goes_on(
    live_stack: Settings, worker_log: Path
) -> None:
    good = next(
        e for e in city_feed(PROFILE, SimulationConfig(START, seed=202)) if e.kind == "complaint"
    )
    bad = {
        b"dlq-undecodable": b"\xff\xfe{not json",
        b"dlq-schema": good.model_dump_json()
        .replace('"status":"received"', '"status":"lost"')
        .encode(),
        b"dlq-unknown": good.model_dump_json()
        .replace(f'"{good.category}"', '"ufo-sighting"')
        .encode(),
        b"dlq-oversized": b'{"kind":"complaint","pad":"' + b"x" * 70_000 + b'"}',
        b"dlq-program-on-complaints": next(
            e for e in city_feed(PROFILE, SimulationConfig(START, seed=202)) if e.kind == "program"
        )
        .model_dump_json()
        .encode(),
    }
    producer = KafkaProducer(bootstrap_servers=live_stack.kafka_bootstrap, acks="all")
    for key, value in bad.items():
        producer.send(COMPLAINTS.name, key=key, value=value)
    producer.flush()
    producer.close()
    publish_feed(live_stack, seed=202, count=300)

    worker = start_worker(live_stack, "pantau-t-dlq", "pantau-t-dlq", 16602, worker_log)
    try:
        await wait_caught_up(live_stack, "pantau-t-dlq")
        records = await consume_until(
            live_stack,
            DEADLETTER.name,
            lambda seen: set(bad) <= {r.key for r in seen},
        )
        reasons = {}
        for record in records:
            if record.key in bad:
                headers = dict(record.headers)
                assert record.value == bad[record.key], "the original bytes are kept"
                assert headers["pantau-dlq-topic"] == COMPLAINTS.name.encode()
                assert int(headers["pantau-dlq-offset"]) >= 0
                reasons[record.key] = headers["pantau-dlq-reason"].decode()
        assert reasons == {
            b"dlq-undecodable": "undecodable",
            b"dlq-schema": "schema",
            b"dlq-unknown": "unknown_reference",
            b"dlq-oversized": "oversized",
            b"dlq-program-on-complaints": "wrong_topic",
        }
        metrics = _metrics(16602)
        for reason in set(reasons.values()):
            sample = ("pantau_deadletters_total", (("reason", reason), ("topic", COMPLAINTS.name)))
            assert metrics[sample] >= 1
        assert_same_state(
            read_redis_state(live_stack, "pantau-t-dlq"), await rebuild_from_log(live_stack)
        )
    finally:
        stop(worker)


async def test_sigkill_at_random_points_leaves_the_state_equal_to_the_rebuild(
    live_stack: Settings, worker_log: Path
) -> None:
    chooser = random.Random(4242)
    # About 25 s of steady traffic, so most kills land while events are still arriving.
    feeder = threading.Thread(target=publish_feed, args=(live_stack, 303, 12_000, 100, 0.2))
    feeder.start()
    kills = 0
    worker = start_worker(live_stack, "pantau-t-crash", "pantau-t-crash", 16603, worker_log)
    try:
        while kills < 12:
            wait_serving(16603)
            time.sleep(chooser.uniform(0.2, 2.5))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
            worker = start_worker(live_stack, "pantau-t-crash", "pantau-t-crash", 16603, worker_log)
        feeder.join()
        await wait_caught_up(live_stack, "pantau-t-crash", timeout=180)
        assert kills >= 10
        assert_same_state(
            read_redis_state(live_stack, "pantau-t-crash"), await rebuild_from_log(live_stack)
        )
    finally:
        feeder.join()
        stop(worker)


def _owned_partitions(*ports: int) -> list[list[str]]:
    """Each worker's partitions; none for one whose web server is not up yet."""
    owned: list[list[str]] = []
    for port in ports:
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        except httpx.ConnectError:
            owned.append([])
        else:
            owned.append(answer.json()["partitions"])
    return owned


async def test_two_workers_sharing_partitions_give_the_same_state(
    live_stack: Settings, worker_log: Path
) -> None:
    first = start_worker(live_stack, "pantau-t-pair", "pantau-t-pair", 16604, worker_log)
    second = None
    try:
        feeder = threading.Thread(target=publish_feed, args=(live_stack, 404, 8000, 200))
        feeder.start()
        time.sleep(4)
        second = start_worker(
            live_stack, "pantau-t-pair", "pantau-t-pair", 16605, worker_log
        )  # a rebalance
        feeder.join()
        # The worker catches up faster than the second one joins: wait for the
        # rebalance to hand it its share before judging the state.
        owned = _owned_partitions(16604, 16605)
        deadline = time.monotonic() + 60
        while not (owned[0] and owned[1]) and time.monotonic() < deadline:
            time.sleep(1)
            owned = _owned_partitions(16604, 16605)
        assert owned[0] and owned[1], f"both workers should own partitions: {owned}"
        await wait_caught_up(live_stack, "pantau-t-pair", timeout=180)
        assert not set(owned[0]) & set(owned[1])
        assert_same_state(
            read_redis_state(live_stack, "pantau-t-pair"), await rebuild_from_log(live_stack)
        )
        programs = read_redis_state(live_stack, "pantau-t-pair").aggregate(
            PROGRAMS.name, "programs:dimension:environment"
        )
        assert (programs["2023:completed"], programs["2023:planned"]) == (6, 7)
    finally:
        stop(first)
        if second is not None:
            stop(second)
