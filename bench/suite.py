"""`pantau bench`: the whole benchmark in one run, on a stack of its own.

Order: load the workload with the importer (importer rate), replay it (audit rate), then
each consumer from the start of the same topics with its own group and Redis prefix:
the raw baseline, Pantau with one worker process (then latency at half its rate, and to
the wall), Pantau with one process per core, and the peer. Every consumer's aggregates
are checked against the state the workload must yield.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import redis
import uvicorn

from bench.latency import state_latency, wall_latency
from bench.measures import (
    applied,
    flat_totals,
    memory_totals,
    mismatches,
    percentile,
    sharded_totals,
    wait_until,
)
from bench.raw import run_raw
from bench.workers import measure_catch_up, start_workers, wait_serving
from bench.workload import expected_totals, write_workload
from consumers.audit.replay import Replay, replay, window_for
from dashboards.wall.app import create_app as create_wall
from deploy.stack.isolated import isolated_settings
from deploy.stack.manager import Stack
from pantau.contract.city import CityProfile
from pantau.contract.settings import Settings
from pantau.logreader import LogReader
from pantau.publisher import EventPublisher
from producers.importer import import_file

PORT_BASE = 30000
STATE_DIR = Path(".pantau-bench")
Say = Callable[[str], None]


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None


@dataclass
class Results:
    events: int
    figures: list[Figure] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)  # consumer -> wrong aggregates
    machine: dict[str, object] = field(default_factory=dict)

    def add(self, name: str, value: float | None, unit: str, target: str = "",
            met: bool | None = None) -> None:  # fmt: skip
        self.figures.append(Figure(name, value, unit, target, met))

    def value(self, name: str) -> float | None:
        return next((f.value for f in self.figures if f.name == name), None)


def run_suite(profile: CityProfile, events: int, seed: int, peer: bool, latency_seconds: float,
              say: Say) -> Results:  # fmt: skip
    settings = isolated_settings(STATE_DIR / "stack", PORT_BASE)
    stack = Stack(settings, report=say)
    say("fresh bench stack (its own ports and data)")
    stack.down(purge=True)
    stack.up()
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    results = Results(events, machine=_machine(client))
    workload = write_workload(STATE_DIR / f"workload-{seed}-{events}.jsonl", profile, events, seed)
    say(f"workload {workload}: computing the state it must yield")
    expected = expected_totals(workload, profile)

    say("importer: loading the workload into the topics")
    with EventPublisher(settings, profile, client_id="pantau-bench") as publisher:
        began = time.perf_counter()
        summary = import_file(workload, None, publisher, profile, source="bench")
        publisher.flush()
        seconds = time.perf_counter() - began
    results.add(
        "importer",
        summary.published / seconds,
        "events/s",
        ">= 20,000",
        summary.published / seconds >= 20_000,
    )

    say("audit replay of the whole log")
    rebuilt = asyncio.run(_replay(settings, profile))
    replay_rate = (rebuilt.events + rebuilt.rejected) / rebuilt.seconds
    results.add("audit replay", replay_rate, "events/s", ">= 100,000", replay_rate >= 100_000)
    results.checks["audit replay"] = mismatches(expected, memory_totals(rebuilt.state))

    say("raw baseline (aiokafka + one pipelined write per batch)")
    raw_seconds = asyncio.run(run_raw(settings, profile, "pantau-bench-raw", events))
    raw_rate = events / raw_seconds
    results.add("raw baseline", raw_rate, "events/s")
    results.checks["raw baseline"] = mismatches(
        expected, sharded_totals(client, "pantau-bench-raw")
    )

    logs = STATE_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    say("Pantau, one worker process")
    one = start_workers(settings, "pantau-bench-w1", 1, PORT_BASE + 6100, logs)
    try:
        measure_catch_up(one, client, "pantau-bench-w1", events, timeout=3600)
        results.add("Pantau, 1 process", one.rate, "events/s", ">= 20,000", one.rate >= 20_000)
        found = sharded_totals(client, "pantau-bench-w1")
        results.checks["Pantau, 1 process"] = mismatches(expected, found)
        growth = one.memory_growth()
        results.add("worker memory growth after warm-up", None if growth is None else 100 * growth,
                    "%", "< 10 %", None if growth is None else growth < 0.10)  # fmt: skip
    finally:
        one.stop()

    cores = os.cpu_count() or 1
    say(f"Pantau, {cores} worker processes")
    many = start_workers(settings, "pantau-bench-wn", cores, PORT_BASE + 6200, logs)
    try:
        measure_catch_up(many, client, "pantau-bench-wn", events, timeout=3600)
    finally:
        many.stop()
    results.add(f"Pantau, {cores} processes", many.rate, "events/s")
    found = sharded_totals(client, "pantau-bench-wn")
    results.checks[f"Pantau, {cores} processes"] = mismatches(expected, found)

    best = max(one.rate, many.rate)
    results.add("Pantau / raw", best / raw_rate, "x", ">= 0.8", best / raw_rate >= 0.8)
    if peer:
        say("peer (Quix Streams)")
        peer_rate = events / _run_peer(settings, "pantau-bench-peer", events)
        results.add("peer (Quix Streams)", peer_rate, "events/s")
        found = flat_totals(client, "pantau-bench-peer")
        results.checks["peer (Quix Streams)"] = mismatches(expected, found)
        results.add("Pantau / peer", best / peer_rate, "x", ">= 1.5", best / peer_rate >= 1.5)
    measure_latency(settings, profile, results, max(1.0, one.rate / 2), latency_seconds, seed, say)
    return results


def measure_latency(settings: Settings, profile: CityProfile, results: Results, rate: float,
                    seconds: float, seed: int, say: Say) -> None:  # fmt: skip
    """Event to state at `rate` and event to wall, on the one-process worker's state (it
    resumes where it stopped). A first run of the same length warms the worker up (its
    first half minute after a start is slower), so the figures are the steady state."""
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    logs = STATE_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    # Latency events must be new complaints, also when the runs are repeated on this state.
    seed = seed * 1000 + int(time.time()) % 1000
    worker = start_workers(settings, "pantau-bench-w1", 1, PORT_BASE + 6100, logs)
    try:
        wait_until(lambda: applied(client, "pantau-bench-w1") >= results.events, 120)
        wait_serving(PORT_BASE + 6100)
        say(f"warming up at {rate:,.0f} events/s for {seconds:.0f} s")
        state_latency(settings, profile, "pantau-bench-w1", rate, seconds, seed + 3)
        say(f"latency at {rate:,.0f} events/s for {seconds:.0f} s")
        waits = state_latency(settings, profile, "pantau-bench-w1", rate, seconds, seed + 1)
        p50, p99 = percentile(waits, 0.5), percentile(waits, 0.99)
        results.add("event to state p50", 1000 * p50, "ms", "< 50 ms", p50 < 0.050)
        results.add("event to state p99", 1000 * p99, "ms", "< 250 ms", p99 < 0.250)
        say("event to the live wall")
        wall = _wall_latency(settings, profile, "pantau-bench-w1", seed + 2)
        results.add("event to wall p50", 1000 * percentile(wall, 0.5), "ms")
        worst = max(wall)
        results.add("event to wall max", 1000 * worst, "ms", "< 1000 ms", worst < 1.0)
    finally:
        worker.stop()


def latency_only(profile: CityProfile, events: int, rate: float, seconds: float, seed: int,
                 say: Say) -> Results:  # fmt: skip
    """Only the latency runs, on the stack and state a full run left behind."""
    settings = isolated_settings(STATE_DIR / "stack", PORT_BASE)
    Stack(settings, report=say).up()
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    results = Results(applied(client, "pantau-bench-w1") or events, machine=_machine(client))
    measure_latency(settings, profile, results, rate, seconds, seed, say)
    return results


async def _replay(settings: Settings, profile: CityProfile) -> Replay:
    async with LogReader(settings) as reader:
        window = await window_for(reader)
    return await replay(settings, profile, window)


def _wall_latency(settings: Settings, profile: CityProfile, prefix: str, seed: int) -> list[float]:
    scoped = settings.model_copy(update={"redis_prefix": prefix})
    config = uvicorn.Config(
        create_wall(scoped, profile), host="127.0.0.1", port=settings.wall_port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30)
        return wall_latency(settings, profile, f"http://127.0.0.1:{settings.wall_port}", 20, seed)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _run_peer(settings: Settings, prefix: str, total: int) -> float:
    # Quix keeps its state on disk under the consumer group's name: a previous run's
    # records would make this run's events look like repeats.
    shutil.rmtree(STATE_DIR / "quix", ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.peer", settings.kafka_bootstrap,
         settings.redis_url.get_secret_value(), prefix, str(total), str(STATE_DIR / "quix")],
        capture_output=True, text=True, timeout=3600, check=True,
    )  # fmt: skip
    seconds: float = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
    return seconds


def _machine(client: redis.Redis) -> dict[str, object]:
    info: dict[str, object] = client.info("server")
    packages = ("faust-streaming", "aiokafka", "kafka-python", "redis", "pydantic",
                "quixstreams")  # fmt: skip
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kafka": "4.1.1 (KRaft, one node)",
        "redis": info.get("redis_version"),
        **{name: version(name) for name in packages},
    }
