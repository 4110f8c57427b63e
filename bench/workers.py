"""Pantau's worker as it runs in production (`pantau run worker` processes), measured from
the outside: events applied per second, read from the offsets in Redis, and memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from bench.measures import applied, resident_bytes
from pantau.contract.settings import Settings


@dataclass
class WorkerRun:
    processes: list[subprocess.Popen[bytes]]
    seconds: float = 0.0
    events: int = 0
    memory: list[tuple[int, int]] = field(default_factory=list)  # (events applied, RSS)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def memory_growth(self, warm_up: float = 0.1) -> float | None:
        """RSS growth after warm-up (the first tenth of the events), as a fraction."""
        settled = [rss for done, rss in self.memory if done >= warm_up * self.events]
        return (max(settled) - settled[0]) / settled[0] if len(settled) > 1 else None

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def start_workers(
    settings: Settings, prefix: str, count: int, first_port: int, logs: Path
) -> WorkerRun:
    processes = []
    for number in range(count):
        env = {**os.environ, "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
               "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
               "PANTAU_REDIS_PREFIX": prefix, "PANTAU_WORKER_GROUP": prefix,
               "PANTAU_WORKER_WEB_PORT": str(first_port + number)}  # fmt: skip
        with (logs / f"{prefix}-{number}.log").open("ab") as log:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "pantau", "run", "worker", "--loglevel", "warn"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            ))  # fmt: skip
    return WorkerRun(processes)


def measure_catch_up(run: WorkerRun, client: redis.Redis, prefix: str, total: int,
                     timeout: float, progress: Callable[[], int] | None = None,
                     ) -> WorkerRun:  # fmt: skip
    """From the first commit to the last: start-up and group joining are not the worker's
    sustained rate, so they are left out. `progress` counts what is done (by default the
    messages applied under `prefix`); the peer counts its own way."""
    done_so_far = progress or (lambda: applied(client, prefix))
    deadline = time.monotonic() + timeout
    first: tuple[float, int] | None = None
    next_sample = 0.0
    while True:
        done = done_so_far()
        now = time.perf_counter()
        if first is None and done > 0:
            first = (now, done)
        if now >= next_sample and run.processes:
            run.memory.append((done, sum(resident_bytes(p.pid) for p in run.processes)))
            next_sample = now + 1.0
        if done >= total and first is not None:
            run.seconds, run.events = now - first[0], done - first[1]
            return run
        if time.monotonic() > deadline or any(p.poll() is not None for p in run.processes):
            raise RuntimeError(f"{prefix}: {done} of {total} applied; see the logs")
        time.sleep(0.05)


def wait_serving(port: int, timeout: float = 60) -> None:
    """Until the worker on `port` holds partitions (it joined its group)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()["partitions"]:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the worker on port {port} did not join its group")
