"""The /metrics and /health endpoint of the loop roles, served on a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry, Gauge

from pantau.health import HealthServer, Heartbeat


@pytest.fixture
def registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    Gauge("pantau_example_seconds", "An example.", registry=registry).set(42)
    return registry


def _serve(registry: CollectorRegistry, heartbeat: Heartbeat) -> Iterator[str]:
    server = HealthServer(registry, heartbeat, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.close()


@pytest.fixture
def fresh(registry: CollectorRegistry) -> Iterator[str]:
    yield from _serve(registry, Heartbeat(stale_after=60))


@pytest.fixture
def stale(registry: CollectorRegistry) -> Iterator[str]:
    yield from _serve(registry, Heartbeat(stale_after=0))


def test_metrics_are_the_registrys_exposition(fresh: str) -> None:
    answer = httpx.get(f"{fresh}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    assert "pantau_example_seconds 42.0" in answer.text


def test_health_is_ok_while_the_loop_beats(fresh: str) -> None:
    answer = httpx.get(f"{fresh}/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_health_is_503_once_the_loop_is_overdue(stale: str) -> None:
    answer = httpx.get(f"{stale}/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "stuck"
    assert answer.json()["seconds_since_last_round"] >= 0


def test_other_paths_are_not_found(fresh: str) -> None:
    assert httpx.get(f"{fresh}/").status_code == 404


def test_a_beat_makes_a_stale_heartbeat_healthy_again() -> None:
    heartbeat = Heartbeat(stale_after=0.5)
    heartbeat._last -= 1.0  # a round that ended a second ago
    assert not heartbeat.healthy()
    heartbeat.beat()
    assert heartbeat.healthy()
