"""The live wall in headless Chromium (Debian's, driven by Playwright) against a real worker,
notifier, Kafka and Redis: the page shows the figures in Redis, moves when a new event
arrives, flashes an alert until an operator acknowledges it, keeps personal data off the
screen, and draws the map's tiles and each card's day of arrivals from the figures."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
import redis
from playwright.async_api import Browser, Page, async_playwright

from consumers.alerts.service import create_app as create_notifier
from dashboards.wall.app import create_app as create_wall
from pantau.context import Context
from pantau.contract.alerts import AlertEvent
from pantau.contract.events import ComplaintEvent
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.detection.incidents import AlertChange
from pantau.publisher import EventPublisher
from pantau.state.alert_text import count
from pantau.state.compute import city_figures
from pantau.state.incident_view import short_id
from pantau.state.query import StateQuery
from producers.simulator.feed import SimulationConfig, city_feed
from tests.factories import alert_document, complaint_document
from tests.integration.operators import alerts_cli
from tests.integration.servers import Server
from tests.integration.test_intake import _free_port
from tests.integration.worker_helpers import PROFILE, start_worker, stop, wait_caught_up

PREFIX = "pantau-t-wall"
CHROMIUM = shutil.which("chromium") or "chromium (install it: pantau stack install)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".pantau-test" / "screenshots"
SECRET_TEXT = "Budi Santoso 0812-3456-7890 rumah saya"


@pytest.fixture(scope="module")
def wall(live_stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Worker, notifier and wall for the prefix, on ports of their own."""
    settings = live_stack.model_copy(
        update={"redis_prefix": PREFIX, "wall_port": _free_port(), "alerts_port": _free_port()}
    )
    log = tmp_path_factory.mktemp("wall") / "worker.log"
    worker = start_worker(settings, PREFIX, PREFIX, _free_port(), log)
    try:
        with (
            Server(create_notifier(Context(settings)), settings.alerts_port),
            Server(create_wall(Context(settings)), settings.wall_port),
        ):
            yield settings
    finally:
        stop(worker)


@pytest_asyncio.fixture(loop_scope="function")  # the loop each test runs in
async def page(wall: Settings) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser: Browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        context = await browser.new_context(viewport={"width": 1920, "height": 1080})
        opened = await context.new_page()
        await opened.goto(f"http://127.0.0.1:{wall.wall_port}/")
        yield opened
        await browser.close()


def _complaint_now(seed: int) -> ComplaintEvent:
    now = datetime.now(UTC)
    feed = city_feed(PROFILE, SimulationConfig(now - timedelta(minutes=5), seed=seed))
    first = next(e for e in feed if isinstance(e, ComplaintEvent) and e.status == "received")
    return first.model_copy(
        update={"occurred_at": now, "produced_at": now, "description": SECRET_TEXT}
    )


async def _page_figures(page: Page, dimension: str) -> dict[str, str]:
    card = page.locator(f'[data-dimension="{dimension}"]')
    return {
        figure: await card.locator(f'[data-figure="{figure}"]').inner_text()
        for figure in ("open", "received_today", "resolved_today")
    }


async def _wait_for(page: Page, condition: str, argument: object, timeout: float = 10) -> None:
    await page.wait_for_function(condition, arg=argument, timeout=timeout * 1000)


async def _animation(page: Page, selector: str) -> str:
    # Found and read in one step: a line the wall has just rebuilt is detached, and a
    # detached node's computed style is empty.
    return str(await page.evaluate(
        "s => getComputedStyle(document.querySelector(s)).animationName", selector
    ))  # fmt: skip


async def test_the_wall_shows_redis_and_moves_when_an_event_arrives(
    wall: Settings, page: Page
) -> None:
    now = datetime.now(UTC)
    events = itertools.islice(
        city_feed(PROFILE, SimulationConfig(now - timedelta(hours=6), seed=707)), 800
    )
    with EventPublisher(wall, PROFILE, client_id="test-wall") as publisher:
        for event in events:
            publisher.publish(event)
    await wait_caught_up(wall, PREFIX)
    query = StateQuery(redis.Redis.from_url(wall.redis_url.get_secret_value()),
                       KeySpace(PREFIX), PROFILE)  # fmt: skip
    await page.wait_for_selector('[data-dimension="living"] [data-figure="open"]:not(:empty)')
    await asyncio.sleep(1)  # the last batch's notice and the page's redraw
    for dimension in city_figures(query, PROFILE, query.today()).dimensions:
        figures = dimension.complaints
        # The page is in Indonesian: counts carry its thousands separator (1.029).
        assert await _page_figures(page, dimension.key) == {
            "open": count(figures.open, "id"),
            "received_today": count(figures.received_today, "id"),
            "resolved_today": count(figures.resolved_today, "id"),
        }, dimension.key

    complaint = _complaint_now(seed=708)
    moved = complaint.dimension.value
    before = int((await _page_figures(page, moved))["open"].replace(".", ""))
    with EventPublisher(wall, PROFILE, client_id="test-wall") as publisher:
        sent = time.monotonic()
        publisher.publish_confirmed(complaint)
    selector = f'[data-dimension="{moved}"] [data-figure="open"]'
    await _wait_for(
        page, "([s, n]) => document.querySelector(s).textContent === n",
        [selector, count(before + 1, "id")],
    )  # fmt: skip
    # How fast is the benchmark's to say (`pantau dev bench`); here it only has to move.
    print(f"the wall moved {time.monotonic() - sent:.2f} s after the event was acknowledged")
    assert (
        city_figures(query, PROFILE, query.today()).dimension(moved).complaints.open == before + 1
    )
    await _wait_for(page, "id => !!document.querySelector(`[data-complaint='${id}']`)",
                    complaint.complaint_id)  # fmt: skip
    text = await page.locator("body").inner_text()
    assert SECRET_TEXT not in text and "0812" not in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "wall.png"), full_page=True)


async def test_an_incident_flashes_until_an_operator_acknowledges_it(
    wall: Settings, page: Page
) -> None:
    fingerprint = f"complaint-spike:dimension:living:wall-{time.time():.0f}"
    # Its own moment in event time: the notifier reads every test's alerts from the shared
    # topic, and a living spike in the same minutes would be a part of the same incident.
    alert = AlertEvent.model_validate(
        alert_document(fingerprint=fingerprint, event_id=f"{fingerprint}:firing",
                       occurred_at="2027-09-01T12:00:00+00:00",
                       started_at="2027-09-01T11:59:00+00:00")
    )  # fmt: skip
    with EventPublisher(wall, client_id="test-wall") as publisher:
        publisher.publish_confirmed(alert)
    # The spike is the first part of its incident, which is named after it.
    incident = short_id(f"{fingerprint}@{AlertChange.from_event(alert).minute}")
    item = f'[data-alert="{incident}"]'
    await _wait_for(page, "s => document.querySelector(s)?.classList.contains('firing')", item,
                    timeout=30)  # fmt: skip
    assert await _animation(page, item) == "flash"
    assert await page.locator('[data-dimension="living"]').get_attribute("class") == "card alerting"

    acked = alerts_cli(
        wall, "ack", fingerprint, "--comment", "Petugas dikirim", operator="operator-7"
    )
    assert acked.returncode == 0, acked.stdout + acked.stderr
    await _wait_for(page, "s => document.querySelector(s)?.classList.contains('acknowledged')",
                    item)  # fmt: skip
    assert await _animation(page, item) == "none"
    assert "operator-7" in await page.locator(item).inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "wall-alert-acknowledged.png"))


async def test_the_map_and_each_card_s_day_of_arrivals_show_the_figures(
    wall: Settings, page: Page
) -> None:
    now = datetime.now(UTC)
    events = itertools.islice(
        city_feed(PROFILE, SimulationConfig(now - timedelta(hours=5), seed=709)), 400
    )
    with EventPublisher(wall, PROFILE, client_id="test-wall") as publisher:
        for event in events:
            publisher.publish(event)
    await wait_caught_up(wall, PREFIX)
    query = StateQuery(redis.Redis.from_url(wall.redis_url.get_secret_value()),
                       KeySpace(PREFIX), PROFILE)  # fmt: skip
    opens = {k: a.open for k, a in city_figures(query, PROFILE, query.today()).areas.items()}
    assert len(opens) == 18 and sum(opens.values()) > 0
    await _wait_for(
        page,
        """(opens) => Object.entries(opens).every(([key, n]) => document.querySelector(
             `#map-tiles [data-kelurahan="${key}"]`)?.dataset.open === String(n))""",
        opens,
    )
    tiles = await page.evaluate(
        """() => [...document.querySelectorAll("#map-tiles .tile")].map(
             (t) => [t.dataset.kelurahan, t.querySelector(".count").textContent])"""
    )
    assert len(tiles) == 18
    assert dict(tiles) == {key: count(n, "id") for key, n in opens.items()}

    # Every card's bars, read in one go: one snapshot, ending at one instant.
    cards = await page.evaluate(
        """() => [...document.querySelectorAll("[data-dimension]")].map((card) => {
             const svg = card.querySelector("svg[data-trend]");
             return { key: card.dataset.dimension, until: svg.dataset.until, top: +svg.dataset.top,
               bars: [...svg.querySelectorAll(".bar")].map((bar) => ({ start: bar.dataset.start,
                 arrivals: +bar.dataset.arrivals, expected: +bar.dataset.expected,
                 height: +bar.getAttribute("height") })) }; })"""
    )
    until = datetime.fromisoformat(cards[0]["until"])
    figures = city_figures(
        query, PROFILE, until.astimezone(PROFILE.timezone).date(), groups=False,
        now=until,
    )  # fmt: skip
    for card in cards:
        trend = figures.dimension(card["key"]).trend
        assert trend is not None and card["until"] == cards[0]["until"]
        shown = [(datetime.fromisoformat(b["start"]), b["arrivals"], b["expected"])
                 for b in card["bars"]]  # fmt: skip
        assert shown == [(h.start, h.arrivals, h.expected) for h in trend.hours], card["key"]
        # A bar's height is its count on the sparkline's scale (100 units high).
        for bar in card["bars"]:
            assert abs(bar["height"] - 100 * bar["arrivals"] / card["top"]) < 1e-6, card["key"]
    assert any(bar["arrivals"] for card in cards for bar in card["bars"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("#map").screenshot(path=str(SCREENSHOTS / "wall-map.png"))


async def test_overdue_complaints_show_on_their_dimension_s_card_and_their_tile(
    wall: Settings, page: Page
) -> None:
    # Received three weeks ago and never forwarded: past the desk's 3 working days.
    weeks_ago = datetime.now(UTC) - timedelta(days=21)
    with EventPublisher(wall, PROFILE, client_id="test-wall-overdue") as publisher:
        for n, kelurahan in enumerate(("wates", "wates", "kedundung")):
            publisher.publish(ComplaintEvent.model_validate(complaint_document(
                event_id=f"overdue-{n}", complaint_id=f"MJK-OVERDUE-{n}", kelurahan=kelurahan,
                occurred_at=(weeks_ago + timedelta(minutes=n)).isoformat(),
                produced_at=(weeks_ago + timedelta(minutes=n)).isoformat(),
            )))  # fmt: skip
    await wait_caught_up(wall, PREFIX)
    query = StateQuery(redis.Redis.from_url(wall.redis_url.get_secret_value()),
                       KeySpace(PREFIX), PROFILE)  # fmt: skip
    figures = city_figures(query, PROFILE, query.today(), groups=False, now=query.now())
    living = figures.dimension("living").complaints.service
    assert living is not None and living.overdue >= 3
    areas = {key: area.overdue for key, area in figures.areas.items()}
    assert areas["wates"] >= 2 and areas["kedundung"] >= 1  # type: ignore[operator]
    await _wait_for(
        page,
        """([living, areas]) => document.querySelector('[data-dimension="living"] '
             + '[data-figure="overdue"]')?.dataset.value === living
             && Object.entries(areas).every(([key, n]) => document.querySelector(
               `#map-tiles [data-kelurahan="${key}"]`)?.dataset.overdue === String(n))""",
        [str(living.overdue), areas],
    )
    shown = await page.evaluate(
        """() => ({ red: getComputedStyle(document.querySelector(
               '[data-dimension="living"] [data-figure="overdue"]')).color,
             edged: [...document.querySelectorAll("#map-tiles .tile.overdue")].map(
               (t) => t.dataset.kelurahan) })"""
    )
    assert shown["red"] == "rgb(229, 72, 77)"  # the wall's red, as for alerts
    # Edged: the tiles with at least half the largest overdue count (the corner shows any).
    largest = max(n or 0 for n in areas.values())
    edged = {key for key, n in areas.items() if (n or 0) >= max(1, -(-largest // 2))}
    assert "wates" in edged and set(shown["edged"]) == edged
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("#map").screenshot(path=str(SCREENSHOTS / "wall-map-overdue.png"))
