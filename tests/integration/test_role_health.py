"""The detector, the checkpointer and the wall against the real stack, each under the
main job's supervisor: each answers /metrics and /health where the session's Prometheus
scrapes it, their own figures move, and a role killed with SIGKILL comes back, with the
line in its log, and is scraped again."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from pantau.contract.settings import Settings
from tests.integration.servers import eventually
from tests.integration.worker_helpers import publish_feed, stop, worker_env
from tests.supervised import alive, role_pid, start_supervisor

PREFIX = "pantau-t-health"
PANTAU = [sys.executable, "-m", "pantau", "run"]


class Supervised:
    """The three roles, each as `python -m deploy.supervise NAME LOG -- pantau run ROLE`."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.settings = settings
        self.logs = logs
        self.env = {
            **worker_env(settings, PREFIX, PREFIX, settings.worker_web_port),
            "PANTAU_DETECTOR_PORT": str(settings.detector_port),
            "PANTAU_CHECKPOINTER_PORT": str(settings.checkpointer_port),
            "PANTAU_WALL_PORT": str(settings.wall_port),
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }
        self.ports = {"detector": settings.detector_port, "wall": settings.wall_port,
                      "checkpointer": settings.checkpointer_port}  # fmt: skip
        self.supervisors: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *command: str) -> None:
        log = self.logs / f"{name}.log"
        self.supervisors[name] = start_supervisor(name, log, [*PANTAU, *command], self.env)

    def get(self, name: str, path: str) -> httpx.Response | None:
        try:
            return httpx.get(f"http://127.0.0.1:{self.ports[name]}{path}", timeout=5)
        except httpx.HTTPError:
            return None

    def healthy(self, name: str) -> bool:
        answer = self.get(name, "/health")
        return answer is not None and answer.status_code == 200

    def sample(self, name: str, series: str) -> float | None:
        answer = self.get(name, "/metrics")
        if answer is None:
            return None
        for family in text_string_to_metric_families(answer.text):
            for sample in family.samples:
                if sample.name == series:
                    return float(sample.value)
        return None

    def positive(self, name: str, series: str) -> bool:
        return (self.sample(name, series) or 0) > 0

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for supervisor in self.supervisors.values():
            stop(supervisor)


def _scraped_up(settings: Settings, job: str) -> float | None:
    reply = httpx.get(
        f"http://127.0.0.1:{settings.prometheus_port}/api/v1/query",
        params={"query": f'up{{job="{job}"}}'},
        timeout=10,
    ).json()
    result = reply["data"]["result"]
    return float(result[0]["value"][1]) if result else None


@pytest.fixture
def roles(live_stack: Settings, tmp_path: Path) -> Iterator[Supervised]:
    running = Supervised(live_stack, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()
        for name in running.supervisors:
            print(f"--- {name}.log\n{running.log(name)[-3000:]}")


def test_roles_answer_where_prometheus_scrapes_and_come_back_when_killed(
    live_stack: Settings, roles: Supervised
) -> None:
    publish_feed(live_stack, seed=83, count=200)
    roles.start("detector", "detect", "--interval", "1")
    roles.start("checkpointer", "checkpoint", "--every", "50", "--interval", "0.5")
    roles.start("wall", "wall")
    for name in roles.ports:
        eventually(partial(roles.healthy, name), 90, f"the {name} answers /health")

    # Their own figures move.
    moved = {
        "detector": "pantau_detector_last_evaluation_timestamp_seconds",
        "checkpointer": "pantau_checkpointer_events_chained_total",
        "wall": "pantau_wall_last_refresh_timestamp_seconds",
    }
    for name, series in moved.items():
        eventually(partial(roles.positive, name, series), 90, f"{series} above 0")
    assert roles.sample("detector", "pantau_detector_interval_seconds") == 1.0
    assert roles.positive("checkpointer", "pantau_checkpointer_last_checkpoint_timestamp_seconds")

    # The session's Prometheus scrapes each where the settings put it.
    for job in ("pantau-detector", "pantau-checkpointer", "pantau-wall"):
        eventually(partial(lambda j: _scraped_up(live_stack, j) == 1.0, job), 60,
                   f"Prometheus scrapes {job}")  # fmt: skip

    # Killed, the detector comes back under its supervisor, and says so in its log.
    supervisor = roles.supervisors["detector"]
    first = role_pid(supervisor)
    assert first is not None
    os.kill(first, signal.SIGKILL)
    line = re.compile(r"detector exited with status 137 \(SIGKILL\); restarting in 2 s$", re.M)
    eventually(lambda: line.search(roles.log("detector")), 30, "the exit is logged")
    second = eventually(
        lambda: (pid := role_pid(supervisor)) not in (None, first) and pid, 30, "a new detector"
    )
    eventually(partial(roles.healthy, "detector"), 90, "the new detector answers /health")
    assert alive(second) and not alive(first)

    # Stopping the supervisors leaves no role behind.
    pids = {name: role_pid(s) for name, s in roles.supervisors.items()}
    roles.stop_all()
    assert [name for name, pid in pids.items() if pid is not None and alive(pid)] == []
