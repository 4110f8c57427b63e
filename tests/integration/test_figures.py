"""Every rendering of the city's figures against figures computed apart from the live
system: events go through the real worker, Kafka and Redis; the wall's text, map and
sparklines in Chromium, the worker's /metrics, `pantau state`, an audit snapshot file
and the audit report are each held against (a) every named figure of an in-memory replay
of the same log and (b) the wall's figures counted by hand from the events
(tests/integration/figures_by_hand.py)."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from playwright.async_api import async_playwright

from dashboards.wall.app import create_app as create_wall
from deploy.stack.manager import Stack as LocalStack
from pantau.context import Context
from pantau.contract.events import AnyEvent, EventKind, parse_event
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS
from pantau.publisher import EventPublisher
from pantau.state.compute import city_figures
from pantau.state.decode import Rejection, decode
from pantau.state.memory import MemoryState
from pantau.state.named import Figures, named_figures
from pantau.state.service_fields import ServiceClock
from pantau.state.trend import TREND_HOURS
from producers.simulator.feed import SimulationConfig, city_feed
from tests.conftest import SESSION_PORT_BASE, stack_settings
from tests.integration.figures_by_hand import (
    DimensionByHand,
    arrivals_by_hour,
    count,
    open_by_kelurahan,
)
from tests.integration.renderings import (
    metrics,
    metrics_as_named,
    state_rows,
    wall_expected,
    wall_map_and_trends,
    wall_text,
)
from tests.integration.servers import Server
from tests.integration.test_intake import _free_port
from tests.integration.worker_helpers import (
    PROFILE,
    end_offsets,
    start_worker,
    stop,
    wait_caught_up,
    worker_env,
)

PREFIX = "pantau-t-figures"
CHROMIUM = shutil.which("chromium") or "chromium (install it: pantau stack install)"


class Stack:
    def __init__(self, settings: Settings, metrics_port: int) -> None:
        self.settings = settings
        self.metrics_port = metrics_port

    def pantau(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**worker_env(self.settings, PREFIX, PREFIX, self.metrics_port),
               "PANTAU_STATE_DIR": str(self.settings.state_dir), "COLUMNS": "250"}  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "pantau", *args], env=env,
                              capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A worker (with its /metrics) and the wall, on a broker and Redis of their own: the
    count by hand reads the whole log, which on the session's stack holds every other
    test's events too, malformed and conflicting ones among them."""
    folder = tmp_path_factory.mktemp("figures")
    own = stack_settings(folder / "stack", port_base=SESSION_PORT_BASE + 13000)
    services = LocalStack(own, report=lambda message: None)
    services.down(purge=True)
    services.up()
    settings = own.model_copy(
        update={"redis_prefix": PREFIX, "state_dir": folder, "wall_port": _free_port()}
    )
    metrics_port = _free_port()
    worker = start_worker(settings, PREFIX, PREFIX, metrics_port, folder / "worker.log")
    try:
        with Server(create_wall(Context(settings)), settings.wall_port):
            yield Stack(settings, metrics_port)
    finally:
        stop(worker)
        services.down(purge=True)


async def _read_log(settings: Settings) -> tuple[MemoryState, list[AnyEvent]]:
    """The log to its end: replayed in memory with the worker's decoder and folds, and as
    the contract's events (what was not decodable, the worker dead-lettered too)."""
    state, events = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE)), []
    kinds = {spec.name: EventKind(kind) for kind, spec in EVENT_TOPICS.items()}
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap,
                                enable_auto_commit=False, max_poll_records=5000)  # fmt: skip
    await consumer.start()
    try:
        for (topic, partition), end in (await end_offsets(settings)).items():
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            consumer.seek(tp, 0)
            decoded: list[Any] = []
            position, deadline = 0, time.monotonic() + 60
            while position < end:
                assert time.monotonic() < deadline, f"could not read {topic}[{partition}]"
                for record in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
                    position = record.offset + 1
                    if record.offset >= end or record.value is None:
                        continue
                    outcome = decode(record.value, kinds[topic], PROFILE)
                    if not isinstance(outcome, Rejection):
                        decoded.append(outcome)
                        events.append(parse_event(record.value))
            state.apply(topic, partition, decoded)
    finally:
        await consumer.stop()
    return state, events


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= 1e-9
    return a == b


def _differences(expected: Figures, found: dict[str, Any]) -> list[str]:
    return [f"{name}: expected {value!r}, found {found.get(name, 'nothing')!r}"
            for name, value in expected.items() if not _same(value, found.get(name))]  # fmt: skip


def _by_hand_named(by_hand: dict[str, DimensionByHand]) -> Figures:
    """The hand-counted figures under the audit's names."""
    named: Figures = {}
    for key, d in by_hand.items():
        named |= {f"{key}.complaints.open": d.open,
                  f"{key}.complaints.received_today": d.received_today,
                  f"{key}.complaints.resolved_today": d.resolved_today,
                  f"{key}.programs.realization_pct": d.realization_pct,
                  f"{key}.complaints.service.overdue": d.overdue}  # fmt: skip
        if d.headline is not None:
            h = d.headline
            named |= {f"{key}.headline.value": h.value, f"{key}.headline.change": h.change,
                      f"{key}.headline.target": h.target, f"{key}.headline.on_target": h.on_target,
                      f"{key}.headline.period": h.period}  # fmt: skip
    return named


async def test_every_rendering_shows_the_figures_of_a_replay_and_of_a_count_by_hand(
    stack: Stack,
) -> None:
    started = datetime.now(PROFILE.timezone).date()
    try:
        await _check_every_rendering(stack)
    except AssertionError:
        # "Today" figures move at the city's midnight: a run across it proves nothing.
        if datetime.now(PROFILE.timezone).date() != started:
            pytest.skip("the city's day changed during the run; run it again")
        raise


async def _check_every_rendering(stack: Stack) -> None:
    now = datetime.now(UTC)
    feed = SimulationConfig(now - timedelta(hours=8), seed=1515, complaints_per_day=2500)
    # Everything of the feed's last eight hours up to now. A fixed count of events (1,500)
    # ended before the city's midnight when the suite ran in the city's first hours of a
    # day, and "today" then held no complaint at all.
    happened = [e for e in itertools.islice(city_feed(PROFILE, feed), 6000) if e.occurred_at <= now]
    with EventPublisher(stack.settings, PROFILE, client_id="test-figures") as publisher:
        for event in happened:
            publisher.publish(event)
    await wait_caught_up(stack.settings, PREFIX)
    now = datetime.now(UTC)
    today = now.astimezone(PROFILE.timezone).date()
    replayed, events = await _read_log(stack.settings)
    # Judged now: what the wall and the gauges judge a moment later is the same, since
    # no deadline of a complaint from the last hours falls within minutes of it.
    expected = named_figures(city_figures(replayed, PROFILE, today, now=now))
    by_hand = count(events, PROFILE, today, now)
    hand_named = _by_hand_named(by_hand)
    # The count by hand and the replay agree before either is held against the system.
    assert _differences(hand_named, expected) == []
    assert sum(d.open for d in by_hand.values()) > 0
    assert sum(d.received_today for d in by_hand.values()) > 0
    assert any(d.headline is not None and d.headline.change for d in by_hand.values())

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1920, "height": 1080})
        await page.goto(f"http://127.0.0.1:{stack.settings.wall_port}/?lang=en")
        shown = await wall_text(page, by_hand)
        must_show = await wall_expected(page, by_hand)
        drawn = await wall_map_and_trends(page)
        await browser.close()
    assert {k: shown.get(k) for k in must_show} == must_show
    assert not set(shown) - set(must_show), "the wall shows figures no one checked"
    _check_map_and_trends(drawn, replayed, events)

    exported = metrics_as_named(metrics(stack.metrics_port))
    gauged = {k: v for k, v in hand_named.items() if not k.endswith(".headline.period")}
    assert _differences(gauged, exported) == []
    assert _differences({k: expected.get(k) for k in exported}, exported) == []
    kelurahan = [kel.key for kec in PROFILE.kecamatan for kel in kec.kelurahan]
    assert all(f"kelurahan.{k}.complaints.open" in exported for k in kelurahan)

    rows = state_rows(stack.pantau("state").stdout)
    for dimension in PROFILE.dimensions:
        d, figures = by_hand[dimension.key.value], expected
        cells = rows[dimension.label_id]
        assert cells[:3] == [str(d.open), str(d.received_today), str(d.resolved_today)]
        completed = figures[f"{dimension.key.value}.programs.completed"]
        planned = figures[f"{dimension.key.value}.programs.planned"]
        realized = "-" if not planned else f"{completed}/{planned} ({d.realization_pct:g} %)"
        assert cells[4] == realized
        if d.headline is not None:
            assert f"{d.headline.value:g} {d.headline.unit} ({d.headline.period})" in cells[5]

    stack.pantau("audit", "snapshot", "--out", str(stack.settings.state_dir / "snapshots"))
    [snapshot] = (stack.settings.state_dir / "snapshots").glob("snapshot-*.json")
    saved = json.loads(snapshot.read_text())
    assert saved["today"] == today.isoformat()
    # The snapshot's trends run to when it was taken; the replay's, taken there, agree.
    at_snapshot = _replayed_at(replayed, today, saved["taken_at"])
    assert _differences(at_snapshot, saved["figures"]) == []
    assert set(saved["figures"]) == set(at_snapshot)
    assert any(".trend." in name for name in saved["figures"])

    out = stack.settings.state_dir / "report"
    stack.pantau("audit", "replay", "--out", str(out))
    report = json.loads((out / "report.json").read_text())
    assert report["verdict"] == "match" and report["as_of"] == today.isoformat()
    rows_by_name = {row["name"]: row for row in report["figures"]}
    expected = _replayed_at(replayed, today, report["trends_until"])
    assert set(rows_by_name) == set(expected), "the report names every figure"
    assert [n for n, row in rows_by_name.items() if not row["matches"]] == []
    assert _differences(expected, {n: row["shown"] for n, row in rows_by_name.items()}) == []
    # Every figure the wall shows is a row of the report, proved.
    for key in by_hand:
        for figure in ("complaints.open", "complaints.received_today",
                       "complaints.resolved_today", "programs.realization_pct"):  # fmt: skip
            assert f"{key}.{figure}" in rows_by_name
    assert any(name.endswith(".headline.on_target") for name in rows_by_name)
    assert all(f"area.{key}.open" in rows_by_name for key in open_by_kelurahan(events, PROFILE))
    trend_rows = [name for name in rows_by_name if ".trend." in name]
    assert len(trend_rows) == len(PROFILE.dimensions) * TREND_HOURS * 2


def _replayed_at(replayed: MemoryState, today: date, until: str) -> Figures:
    at = datetime.fromisoformat(until)
    return named_figures(city_figures(replayed, PROFILE, today, now=at))


def _check_map_and_trends(
    drawn: dict[str, Any], replayed: MemoryState, events: list[AnyEvent]
) -> None:
    """The map's tiles and the sparklines' bars against the count by hand, and every
    point of the sparklines (the expectation too) against the replay at the same instant."""
    assert drawn["tiles"] == open_by_kelurahan(events, PROFILE)
    until = datetime.fromisoformat(drawn["until"])
    by_hand = arrivals_by_hour(events, PROFILE, until, TREND_HOURS)
    assert {key: [arrivals for _, arrivals, _ in bars] for key, bars in drawn["bars"].items()} == (
        by_hand
    )
    assert sum(sum(hours) for hours in by_hand.values()) > 0
    today = until.astimezone(PROFILE.timezone).date()
    figures = city_figures(replayed, PROFILE, today, groups=False, now=until)
    for dimension in figures.dimensions:
        assert dimension.trend is not None
        replayed_points = [(h.start, h.arrivals, h.expected) for h in dimension.trend.hours]
        shown = [(datetime.fromisoformat(start), n, expected)
                 for start, n, expected in drawn["bars"][dimension.key]]  # fmt: skip
        assert shown == replayed_points, dimension.key
