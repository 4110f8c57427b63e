"""Every query of every committed dashboard panel, run against the real Prometheus while
it scrapes a real worker (fed by the simulator) and the alert notifier: each returns data,
and the wall's tiles show the figures that are in Redis."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis
from kafka import KafkaProducer

from consumers.alerts.service import create_app
from dashboards.catalog import JSON_DIR, panel_queries
from pantau.context import Context
from pantau.contract.alerts import AlertEvent
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS
from pantau.publisher import EventPublisher
from pantau.state.compute import city_figures
from pantau.state.query import StateQuery
from producers.simulator.feed import SimulationConfig, city_feed
from tests.factories import alert_document
from tests.integration.servers import Server, eventually
from tests.integration.worker_helpers import PROFILE, start_worker, stop, wait_caught_up

PREFIX = "pantau-t-dash"
# Grafana widens $__rate_interval with the time range; five minutes keeps every rate
# defined for the whole test, whose events all arrive within its first minute.
RATE_INTERVAL = "5m"


def _feed_the_city(settings: Settings) -> None:
    now = datetime.now(UTC)
    config = SimulationConfig(now - timedelta(days=1), seed=606, complaints_per_day=1500)
    events = itertools.takewhile(lambda e: e.occurred_at <= now, city_feed(PROFILE, config))
    with EventPublisher(settings, PROFILE, client_id="test-dashboards") as publisher:
        for event in events:
            publisher.publish(event)
        alert = alert_document(
            fingerprint=f"complaint-spike:dimension:living:{now.timestamp():.0f}",
            event_id=f"dashboards-{now.timestamp():.0f}:firing",
        )
        publisher.publish_confirmed(AlertEvent.model_validate(alert))
    # One message no schema accepts, so the dead-letter panel has something to count.
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    producer.send(COMPLAINTS.name, key=b"dash-bad", value=b"{not json").get(timeout=30)
    producer.close()


@pytest.fixture(scope="module")
def scraped(live_stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A worker and the notifier on the ports Prometheus scrapes, with the city fed."""
    settings = live_stack.model_copy(update={"redis_prefix": PREFIX})
    log = tmp_path_factory.mktemp("dashboards") / "worker.log"
    worker = start_worker(settings, PREFIX, PREFIX, settings.worker_web_port, log)
    try:
        with Server(create_app(Context(settings)), settings.alerts_port):
            _feed_the_city(settings)
            yield settings
    finally:
        stop(worker)


def _instant(settings: Settings, expr: str) -> list[dict[str, Any]]:
    reply = httpx.get(
        f"http://127.0.0.1:{settings.prometheus_port}/api/v1/query",
        params={"query": expr.replace("$__rate_interval", RATE_INTERVAL)},
        timeout=10,
    ).json()
    assert reply["status"] == "success", f"{expr}: {reply}"
    result: list[dict[str, Any]] = reply["data"]["result"]
    return result


def _committed_queries() -> list[tuple[str, str, str]]:
    return [
        (path.name, title, expr)
        for path in sorted(JSON_DIR.glob("*.json"))
        for title, expr in panel_queries(json.loads(path.read_text()))
    ]


async def test_every_panel_query_returns_data(scraped: Settings) -> None:
    await wait_caught_up(scraped, PREFIX, timeout=180)
    queries = _committed_queries()
    assert len(queries) > 50

    def empty() -> list[str]:
        return [f"{board} / {title}: {expr}" for board, title, expr in queries
                if not _instant(scraped, expr)]  # fmt: skip

    missing: list[str] = []

    def all_answer() -> bool:
        missing[:] = empty()
        return not missing

    try:
        eventually(all_answer, 120, "every panel query answers")
    except AssertionError as error:
        raise AssertionError("queries without data:\n" + "\n".join(missing)) from error


async def test_the_wall_tiles_show_the_figures_in_redis(scraped: Settings) -> None:
    await wait_caught_up(scraped, PREFIX, timeout=180)
    client = redis.Redis.from_url(scraped.redis_url.get_secret_value())
    query = StateQuery(client, KeySpace(PREFIX), PROFILE)
    dimensions = [d.key.value for d in PROFILE.dimensions]

    def open_in_redis() -> dict[str, int]:
        figures = city_figures(query, PROFILE, query.today(), groups=False)
        return {d.key: d.complaints.open for d in figures.dimensions}

    def tiles_match_redis() -> bool:
        figures = open_in_redis()
        for dimension in dimensions:
            shown = _instant(scraped, f'max(pantau_complaints_open{{dimension="{dimension}"}})')
            if not shown or float(shown[0]["value"][1]) != figures[dimension]:
                return False
        return True

    # A scrape happens every 5 s; after the worker caught up the next one shows the truth.
    eventually(tiles_match_redis, 30, "open complaints on the wall equal Redis")
    assert sum(open_in_redis().values()) > 0
