"""`pantau dev bench`: the whole benchmark in one run, on a stack of its own.

Order: load the workload with the importer (importer rate), replay it (audit rate), then
each consumer from the start of the same topics with its own group and Redis prefix, one
process each, in interleaved rounds: the raw baseline, Pantau's worker, the Quix Streams
peer (medians, and ratios of like with like); then Pantau and the peer with one process
per core each; then event-to-state latency at a fixed rate with a forced append-only-file
rewrite in each run, and event to wall. Every consumer's aggregates are checked against
the state the workload must yield. The stack is stopped at the end, its data kept.
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

import redis
import uvicorn
from pydantic import SecretStr

from bench.latency import state_latency, wall_latency
from bench.measures import (
    applied,
    flat_totals,
    memory_totals,
    mismatches,
    percentile,
    sharded_totals,
    wait_until,
    worst_window,
)
from bench.raw import run_raw
from bench.tlog import log_from_kafka
from bench.workers import WorkerRun, measure_catch_up, start_workers, wait_serving
from bench.workload import Totals, expected_totals, write_workload
from consumers.audit.replay import Replay, replay, window_for
from dashboards.wall.app import create_app as create_wall
from deploy.stack.isolated import isolated_settings
from deploy.stack.manager import Stack
from deploy.stack.redis_acl import OPERATOR
from pantau.context import Context
from pantau.contract.city import CityProfile
from pantau.contract.settings import Settings
from pantau.logreader import LogReader
from producers.import_parallel import import_file_parallel

PORT_BASE = 30000
STATE_DIR = Path(".pantau-bench")
# The last round's one-process worker state, which the latency runs resume.
PANTAU_PREFIX = "pantau-bench-w1"
WARM_UP_SECONDS = 30.0
# The stretch of a latency run whose p99 is reported when it is the worst.
WINDOW_SECONDS = 10.0
Say = Callable[[str], None]


@dataclass(frozen=True)
class LatencyPlan:
    rate: float = 12_500.0  # events/s, held for each run
    seconds: float = 300.0
    runs: int = 3
    rewrite: bool = True  # one append-only-file rewrite forced halfway through each run


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


def run_suite(profile: CityProfile, events: int, seed: int, peer: bool, rounds: int,
              latency: LatencyPlan, say: Say) -> Results:  # fmt: skip
    settings = bench_settings()
    stack = Stack(settings, report=say)
    say("fresh bench stack (its own ports and data)")
    stack.down(purge=True)
    stack.up()
    try:
        return _measure(settings, profile, events, seed, peer, rounds, latency, say)
    finally:
        # A 1 GB JVM and the rest left running would slow whatever is measured next.
        say("stopping the bench stack (its data stays for --latency-only)")
        stack.down()


def _measure(settings: Settings, profile: CityProfile, events: int, seed: int, peer: bool,
             rounds: int, latency: LatencyPlan, say: Say) -> Results:  # fmt: skip
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    results = Results(events, machine=_machine(client))
    workload = write_workload(STATE_DIR / f"workload-{seed}-{events}.jsonl", profile, events, seed)
    say(f"workload {workload}: computing the state it must yield")
    expected = expected_totals(workload, profile)

    say("importer: loading the workload into the topics")
    # As `pantau produce import` runs it: one process per core for a file this large,
    # each entity's lines through one of them; timed until every event is acknowledged.
    began = time.perf_counter()
    summary = import_file_parallel(
        workload, None, settings, profile, source="bench", client_id="pantau-bench"
    )
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

    say("verifiable log: every event from the Kafka fetch to a signed checkpoint")
    tiles = STATE_DIR / "tlog"
    shutil.rmtree(tiles, ignore_errors=True)
    log = asyncio.run(log_from_kafka(settings, tiles))
    results.add("verifiable log, 1 process", log.rate, "events/s", ">= 100,000",
                log.rate >= 100_000)  # fmt: skip
    results.add("verifiable log, per CPU second", log.cpu_rate, "events/s")

    _throughput(settings, client, expected, results, rounds, peer, profile, say)
    try:
        measure_latency(settings, profile, results, latency, seed, say)
    except Exception as error:  # keep the throughput figures; the exit code says it failed
        results.add(f"latency runs failed: {error!r}"[:200], None, "", "", False)
    return results


def _throughput(settings: Settings, client: redis.Redis, expected: Totals, results: Results,
                rounds: int, peer: bool, profile: CityProfile, say: Say) -> None:  # fmt: skip
    """One process each, in interleaved rounds (raw, Pantau, peer, then again), so that
    whatever else the machine does falls on all three alike; figures are medians and
    ratios the median of each round's ratio. Then one process per core for Pantau and the
    peer, both in one consumer group."""
    events = results.events
    logs = STATE_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rates: dict[str, list[float]] = {"raw": [], "pantau": [], "peer": []}
    growth: list[float] = []
    for number in range(1, rounds + 1):
        say(f"round {number} of {rounds}: raw baseline (aiokafka, one pipeline per batch)")
        prefix = f"pantau-bench-raw-{number}"
        rates["raw"].append(events / asyncio.run(run_raw(settings, profile, prefix, events)))
        results.checks[f"raw baseline, round {number}"] = mismatches(
            expected, sharded_totals(client, prefix)
        )
        _forget(client, prefix)
        say(f"round {number} of {rounds}: Pantau, one worker process")
        prefix = PANTAU_PREFIX if number == rounds else f"pantau-bench-w1-{number}"
        one = start_workers(settings, prefix, 1, PORT_BASE + 6100, logs)
        try:
            measure_catch_up(one, client, prefix, events, timeout=3600)
        finally:
            one.stop()
        rates["pantau"].append(one.rate)
        if (fraction := one.memory_growth()) is not None:
            growth.append(fraction)
        results.checks[f"Pantau, round {number}"] = mismatches(
            expected, sharded_totals(client, prefix)
        )
        if prefix != PANTAU_PREFIX:  # the last round's state serves the latency runs
            _forget(client, prefix)
        if peer:
            say(f"round {number} of {rounds}: peer (Quix Streams), one process")
            prefix = f"pantau-bench-peer-{number}"
            rates["peer"].append(events / _run_peer(settings, client, prefix, events, 1))
            results.checks[f"peer, round {number}"] = mismatches(
                expected, flat_totals(client, prefix)
            )
            _forget(client, prefix)
    rounds_note = f"median of {rounds}"
    raw_rate, pantau_rate = median(rates["raw"]), median(rates["pantau"])
    results.add("raw baseline, 1 process", raw_rate, "events/s", rounds_note)
    results.add("Pantau, 1 process", pantau_rate, "events/s", ">= 25,000", pantau_rate >= 25_000)
    results.add("worker memory growth after warm-up", 100 * max(growth) if growth else None,
                "%", "< 10 %", max(growth) < 0.10 if growth else None)  # fmt: skip
    by_raw = median([p / r for p, r in zip(rates["pantau"], rates["raw"], strict=True)])
    results.add("Pantau / raw, 1 process each", by_raw, "x", ">= 0.9", by_raw >= 0.9)
    if peer:
        peer_rate = median(rates["peer"])
        results.add("peer (Quix Streams), 1 process", peer_rate, "events/s", rounds_note)
        by_peer = median([p / q for p, q in zip(rates["pantau"], rates["peer"], strict=True)])
        results.add("Pantau / peer, 1 process each", by_peer, "x", ">= 2", by_peer >= 2)

    cores = os.cpu_count() or 1
    say(f"Pantau, {cores} worker processes in one group")
    prefix = "pantau-bench-wn"
    many = start_workers(settings, prefix, cores, PORT_BASE + 6200, logs)
    try:
        measure_catch_up(many, client, prefix, events, timeout=3600)
    finally:
        many.stop()
    results.add(f"Pantau, {cores} processes", many.rate, "events/s")
    results.checks[f"Pantau, {cores} processes"] = mismatches(
        expected, sharded_totals(client, prefix)
    )
    _forget(client, prefix)
    if peer:
        say(f"peer (Quix Streams), {cores} processes in one group")
        prefix = "pantau-bench-peer-n"
        peers = events / _run_peer(settings, client, prefix, events, cores)
        results.add(f"peer (Quix Streams), {cores} processes", peers, "events/s")
        results.checks[f"peer, {cores} processes"] = mismatches(
            expected, flat_totals(client, prefix)
        )
        _forget(client, prefix)
        results.add(f"Pantau / peer, {cores} processes each", many.rate / peers, "x")


def _forget(client: redis.Redis, prefix: str) -> None:
    """Delete a finished run's keys, so Redis (and its append-only file) holds one run."""
    names = list(client.scan_iter(match=f"{prefix}:*", count=5000))
    for start in range(0, len(names), 5000):
        client.unlink(*names[start : start + 5000])


def measure_latency(settings: Settings, profile: CityProfile, results: Results,
                    plan: LatencyPlan, seed: int, say: Say) -> None:  # fmt: skip
    """Event to state at a fixed rate, in `plan.runs` runs of `plan.seconds`, each with one
    append-only-file rewrite forced halfway (the moment Redis forks and copies its memory,
    the usual cause of a slow tail) unless the plan says not; then event to wall. On the
    one-process worker's state, which it resumes; a short first run warms it up (its first
    seconds after a start are slower), so the figures are the steady state."""
    rate = plan.rate
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    logs = STATE_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    # Latency events must be new complaints, also when the runs are repeated on this state.
    seed = seed * 1000 + int(time.time()) % 1000
    worker = start_workers(settings, PANTAU_PREFIX, 1, PORT_BASE + 6100, logs)
    # The targets hold under a rewrite; runs without one only show the margin without it.
    judged = plan.rewrite
    try:
        wait_until(lambda: applied(client, PANTAU_PREFIX) >= results.events, 300)
        wait_serving(PORT_BASE + 6100)
        say(f"warming up at {rate:,.0f} events/s for {WARM_UP_SECONDS:.0f} s")
        state_latency(settings, profile, PANTAU_PREFIX, rate, WARM_UP_SECONDS, seed + 3)
        p50s, p99s, worst_windows = [], [], []
        for run in range(1, plan.runs + 1):
            say(f"latency run {run} of {plan.runs}: compacting the append-only file first")
            _compact_aof(settings)
            forced = ", one AOF rewrite forced halfway" if plan.rewrite else ""
            say(f"latency run {run} of {plan.runs}: {rate:,.0f} events/s for "
                f"{plan.seconds:.0f} s{forced}")  # fmt: skip
            before = _aof_rewrites(settings)
            waits = state_latency(
                settings, profile, PANTAU_PREFIX, rate, plan.seconds, seed + 10 + run,
                halfway=(lambda: _force_aof_rewrite(settings)) if plan.rewrite else None,
            )  # fmt: skip
            rewrites = _aof_rewrites(settings) - before
            latencies = [latency for _, latency in waits]
            p50s.append(percentile(latencies, 0.5))
            p99s.append(percentile(latencies, 0.99))
            worst_windows.append(worst_window(waits, WINDOW_SECONDS, 0.99))
            met = _target("< 250 ms", p99s[-1] < 0.250, judged)
            results.add(f"event to state p99, run {run} ({rewrites} AOF rewrites)",
                        1000 * p99s[-1], "ms", *met)  # fmt: skip
        results.add("event to state p50, worst run", 1000 * max(p50s), "ms",
                    *_target("< 50 ms", max(p50s) < 0.050, judged))  # fmt: skip
        results.add("event to state p99, worst run", 1000 * max(p99s), "ms",
                    *_target("< 250 ms", max(p99s) < 0.250, judged))  # fmt: skip
        # Where a stall is: one slow stretch (a rewrite) or every stretch slow (CPU).
        results.add(f"event to state p99, worst {WINDOW_SECONDS:.0f} s of any run",
                    1000 * max(worst_windows), "ms")  # fmt: skip
        say("event to the live wall")
        wall = _wall_latency(settings, profile, PANTAU_PREFIX, seed + 2)
        results.add("event to wall p50", 1000 * percentile(wall, 0.5), "ms")
        worst = max(wall)
        results.add("event to wall max", 1000 * worst, "ms", "< 1000 ms", worst < 1.0)
    finally:
        worker.stop()


def _target(target: str, met: bool, judged: bool) -> tuple[str, bool | None]:
    return (target, met) if judged else ("", None)


def _operator(settings: Settings) -> redis.Redis:
    password = settings.redis_operator_password
    if password is None:
        raise RuntimeError("the bench stack has no Redis operator user")
    parts = urlsplit(settings.redis_url.get_secret_value())
    return redis.Redis(host=parts.hostname or "127.0.0.1", port=parts.port or 6379,
                       username=OPERATOR, password=password.get_secret_value())  # fmt: skip


def _force_aof_rewrite(settings: Settings) -> None:
    try:
        _operator(settings).bgrewriteaof()
    except redis.ResponseError as error:
        # Redis began one on its own (the file doubled): that is the rewrite wanted.
        if "already in progress" not in str(error):
            raise


def _aof_rewrites(settings: Settings) -> int:
    info: dict[str, int] = _operator(settings).info("persistence")
    return int(info.get("aof_rewrites", 0))


def _compact_aof(settings: Settings) -> None:
    """Rewrite the append-only file while no load runs, so that a run holds the one
    rewrite it forces: a 300 s run at 12,500 events/s adds about 4.8 GB of commands, and
    Redis's own 4 GB threshold (deploy/redis/redis.conf) would fire in the next run as
    well, at a moment that depended on the runs before."""
    _force_aof_rewrite(settings)
    wait_until(lambda: not _aof_rewriting(settings), 300, poll=0.5)


def _aof_rewriting(settings: Settings) -> bool:
    info: dict[str, int] = _operator(settings).info("persistence")
    return bool(info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled"))


def latency_only(profile: CityProfile, events: int, plan: LatencyPlan, seed: int,
                 say: Say) -> Results:  # fmt: skip
    """Only the latency runs, on the stack and state a full run left behind."""
    settings = bench_settings()
    stack = Stack(settings, report=say)
    stack.up()
    try:
        client = redis.Redis.from_url(settings.redis_url.get_secret_value())
        results = Results(applied(client, PANTAU_PREFIX) or events, machine=_machine(client))
        measure_latency(settings, profile, results, plan, seed, say)
    finally:
        say("stopping the bench stack (its data stays)")
        stack.down()
    return results


def bench_settings() -> Settings:
    """The bench stack's settings: its own ports and folder, and the operator user."""
    settings = isolated_settings(STATE_DIR / "stack", PORT_BASE)
    operator = SecretStr(secrets.token_urlsafe(24))
    return settings.model_copy(update={"redis_operator_password": operator})


async def _replay(settings: Settings, profile: CityProfile) -> Replay:
    async with LogReader(settings) as reader:
        window = await window_for(reader)
    return await replay(settings, profile, window)


def _wall_latency(settings: Settings, profile: CityProfile, prefix: str, seed: int) -> list[float]:
    scoped = Context(settings.model_copy(update={"redis_prefix": prefix}))
    # The profile the benchmark was given, not one loaded again from the settings.
    scoped.profile = profile
    config = uvicorn.Config(
        create_wall(scoped), host="127.0.0.1", port=settings.wall_port, log_level="warning"
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


def _run_peer(settings: Settings, client: redis.Redis, prefix: str, total: int,
              processes: int) -> float:  # fmt: skip
    """Seconds from the peer's first write until `total` messages are written, measured
    like Pantau's catch-up; `processes` peers share one consumer group and state folder."""
    # Quix keeps its state on disk under the consumer group's name: a previous run's
    # records would make this run's events look like repeats.
    state = STATE_DIR / "quix"
    shutil.rmtree(state, ignore_errors=True)
    logs = STATE_DIR / "logs"
    command = [sys.executable, "-m", "bench.peer", settings.kafka_bootstrap,
               settings.redis_url.get_secret_value(), prefix, str(state),
               settings.city_profile]  # fmt: skip
    run = WorkerRun([])
    for number in range(processes):
        with (logs / f"{prefix}-{number}.log").open("ab") as log:
            run.processes.append(subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            ))  # fmt: skip
    try:
        written = f"{prefix}:events"
        measure_catch_up(
            run, client, prefix, total, timeout=3600, progress=lambda: int(client.get(written) or 0)
        )
    finally:
        run.stop()
    return run.seconds * total / run.events if run.events else float("inf")


def _machine(client: redis.Redis) -> dict[str, object]:
    info: dict[str, object] = client.info("server")
    # The client library's version under its own name: "redis" is the server's.
    packages = ("faust-streaming", "aiokafka", "kafka-python", "pydantic", "msgspec",
                "quixstreams")  # fmt: skip
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kafka": "4.1.1 (KRaft, one node)",
        "redis": info.get("redis_version"),
        **{name: version(name) for name in packages},
        "redis-py": version("redis"),
    }
