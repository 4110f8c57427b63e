"""The wall fits its screen, whatever it has to show: at 1366x768, 1920x1080 and 3840x2160,
in Indonesian and English, with 0, 1, 12 and 60 active alerts and the profile's longest
names, measured by element boxes in Chromium. Nothing scrolls, no text leaves its box,
the six dimension cards stay whole on screen, each with its day of arrivals inside it,
the map's 18 tiles keep their names and counts inside them and its kecamatan names off
them, and the alerts that do not fit are counted by severity in one "+N more" line. The
banner that says the figures are stale fits too, with its longest words, and moves no
card.

Screenshots go to PANTAU_WALL_SCREENSHOTS (default: a pytest temporary folder); with
PANTAU_WALL_README_SHOT=path the 1920x1080 Indonesian one with 12 alerts is also saved
there (the README's docs/wall.png)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import redis
import redis.asyncio as aioredis
from playwright.async_api import Browser, Page, async_playwright

from dashboards.wall.alerts import WallAlert, wall_alerts
from dashboards.wall.app import create_app as create_wall
from pantau.context import Context
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.state.alerts import AlertStore
from pantau.state.compute import city_figures
from pantau.state.incident_log import IncidentLog
from pantau.state.query import StateQuery
from pantau.state.service_fields import ServiceClock
from pantau.state.store import StateStore
from pantau.state.trend import TREND_HOURS
from tests.integration.servers import Server
from tests.integration.test_intake import _free_port
from tests.integration.test_wall import CHROMIUM
from tests.integration.wall_seed import (
    city_events,
    now_utc,
    publish_newest,
    replace_alerts,
    write_state,
)
from tests.integration.worker_helpers import PROFILE, end_offsets

PREFIX = "pantau-t-wall-fit"
SIZES = [(1366, 768), (1920, 1080), (3840, 2160)]
LANGUAGES = ["id", "en"]
ALERT_COUNTS = [0, 1, 12, 60]

# Every visible box on the page, measured once the page shows what it was given.
MEASURE = """() => {
  const visible = [...document.querySelectorAll("body, body *")]
    .filter((n) => n.getClientRects().length);
  const box = (n) => { const r = n.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
  const within = (a, b) => a.left >= b.left - 0.5 && a.top >= b.top - 0.5
    && a.right <= b.right + 0.5 && a.bottom <= b.bottom + 0.5;
  const apart = (a, b) => a.right <= b.left || b.right <= a.left
    || a.bottom <= b.top || b.bottom <= a.top;
  const map = document.getElementById("map-tiles");
  const tiles = [...map.querySelectorAll(".tile")];
  const name = (n) => `${n.tagName.toLowerCase()}#${n.id}.${n.className}`
    + ` "${n.textContent.slice(0, 40)}" ${n.clientWidth}x${n.clientHeight}`
    + ` < ${n.scrollWidth}x${n.scrollHeight}`;
  const outside = (r) => r.left < -0.5 || r.top < -0.5
    || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5;
  const more = document.getElementById("alerts-more")?.dataset;
  return {
    viewport: [innerWidth, innerHeight],
    scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
    cards: [...document.querySelectorAll("[data-dimension]")].map(box),
    outside: visible.filter((n) => outside(box(n))).map(name),
    // An SVG's inner shapes have no scrolling box; they are held to their tiles below.
    overflowing: visible.filter((n) => !n.ownerSVGElement && n.clientWidth
      && (n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1)).map(name),
    tiles: tiles.map((t) => ({ key: t.dataset.kelurahan, open: +t.dataset.open,
      // Every text shown (an overdue count only when there is one) within the tile.
      inside: [...t.querySelectorAll("text")].filter((x) => x.getClientRects().length)
        .every((x) => within(box(x), box(t.querySelector("rect")))),
      overdue: +t.dataset.overdue,
      // The open count stays clear of the overdue corner.
      clear: !+t.dataset.overdue
        || apart(box(t.querySelector(".count")), box(t.querySelector(".late rect"))) })),
    kecamatan: [...map.querySelectorAll(".kecamatan")].map((n) => ({ key: n.dataset.kecamatan,
      inside: within(box(n), box(map)),
      clear: n.classList.contains("over") || tiles.every((t) => apart(box(n), box(t))) })),
    trends: [...document.querySelectorAll("[data-dimension]")].map((card) => {
      const svg = card.querySelector("svg[data-trend]");
      return { bars: svg.querySelectorAll(".bar").length, inside: within(box(svg), box(card)) }; }),
    shown: [...document.querySelectorAll("#alerts li[data-alert]")]
      .filter((n) => !n.hidden).map((n) => n.dataset.alert),
    more: more && { hidden: +more.hidden, critical: +more.critical, warning: +more.warning },
    fontSize: parseFloat(getComputedStyle(document.documentElement).fontSize),
  };
}"""

# The page has drawn the figures, the newest complaints and exactly the alerts given.
READY = """(n) =>
  document.querySelectorAll("[data-dimension] [data-figure='headline_value']").length === 6
  && document.querySelectorAll("#newest li").length > 0
  && document.querySelectorAll("#map-tiles .tile[data-open]").length === 18
  && (n === 0 ? !!document.querySelector("#alerts li.none")
      : document.querySelectorAll("#alerts li[data-alert]").length === n)"""


@pytest.fixture(scope="module")
def fit_wall(live_stack: Settings) -> Iterator[Settings]:
    """A wall over a seeded city state, on a port of its own."""
    settings = live_stack.model_copy(update={"redis_prefix": PREFIX, "wall_port": _free_port()})
    url = settings.redis_url.get_secret_value()
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{PREFIX}:*"):
        client.delete(key)
    now = now_utc()

    async def seed() -> None:
        async with aioredis.Redis.from_url(url) as state:
            await write_state(
                StateStore(state, KeySpace(PREFIX), PROFILE.timezone, ServiceClock.of(PROFILE)),
                city_events(now),
            )

    asyncio.run(seed())
    publish_newest(settings, now)
    asyncio.run(_as_if_caught_up(client, settings))
    with Server(create_wall(Context(settings)), settings.wall_port):
        yield settings


async def _as_if_caught_up(client: redis.Redis, settings: Settings) -> None:
    """The seeded state stands for the whole log: the wall is told that every event in
    the topics is applied, so its banner stays away (the stale case is set up below)."""
    keys = KeySpace(PREFIX)
    for (topic, partition), end in (await end_offsets(settings)).items():
        stored = client.get(keys.offset(topic, partition))
        if end > 0 and (stored is None or int(stored) < end - 1):
            client.set(keys.offset(topic, partition), end - 1)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("PANTAU_WALL_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("wall-fit")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest_asyncio.fixture(loop_scope="function")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield launched
        await launched.close()


async def _open(
    browser: Browser, wall: Settings, size: tuple[int, int], lang: str, alerts: int
) -> tuple[Page, dict[str, Any]]:
    context = await browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{wall.wall_port}/?lang={lang}")
    await page.wait_for_function(READY, arg=alerts, timeout=30_000)
    return page, dict(await page.evaluate(MEASURE))


@pytest.mark.parametrize("alerts", ALERT_COUNTS)
async def test_the_wall_fits_every_screen_in_both_languages(
    fit_wall: Settings, browser: Browser, screenshots: Path, alerts: int
) -> None:
    client = redis.Redis.from_url(fit_wall.redis_url.get_secret_value())
    replace_alerts(client, PREFIX, alerts, now_utc())
    keys = KeySpace(PREFIX)
    expected = wall_alerts(AlertStore(client, keys), IncidentLog(client, keys), PROFILE)
    assert len(expected) == alerts
    query = StateQuery(client, KeySpace(PREFIX), PROFILE)
    opens = {k: a.open for k, a in city_figures(query, PROFILE, query.today()).areas.items()}
    for size in SIZES:
        for lang in LANGUAGES:
            where = f"{size[0]}x{size[1]} {lang} {alerts} alerts"
            page, seen = await _open(browser, fit_wall, size, lang, alerts)
            shot = screenshots / f"wall-{size[0]}x{size[1]}-{lang}-{alerts}.png"
            await page.screenshot(path=str(shot), animations="disabled")
            readme = os.environ.get("PANTAU_WALL_README_SHOT")
            if readme and (size, lang, alerts) == ((1920, 1080), "id", 12):
                await page.screenshot(path=readme, animations="disabled")
            await page.context.close()
            _assert_fits(seen, size, where)
            assert {t["key"]: t["open"] for t in seen["tiles"]} == opens, where
            _assert_collapsed_by_severity(seen, expected, where)


def _assert_fits(seen: dict[str, Any], size: tuple[int, int], where: str) -> None:
    assert seen["viewport"] == list(size), where
    assert seen["scroll"][0] <= size[0] and seen["scroll"][1] <= size[1], where
    assert len(seen["cards"]) == 6, where
    for card in seen["cards"]:
        assert card["left"] >= 0 and card["top"] >= 0, (where, card)
        assert card["right"] <= size[0] and card["bottom"] <= size[1], (where, card)
    assert seen["outside"] == [], (where, seen["outside"])
    assert seen["overflowing"] == [], (where, seen["overflowing"])
    assert len(seen["tiles"]) == 18, where
    assert [t["key"] for t in seen["tiles"] if not (t["inside"] and t["clear"])] == [], where
    assert any(t["overdue"] for t in seen["tiles"]), where  # the seed has overdue work
    assert [k["key"] for k in seen["kecamatan"] if not (k["inside"] and k["clear"])] == [], where
    assert len(seen["kecamatan"]) == len(PROFILE.kecamatan), where
    assert seen["trends"] == [{"bars": TREND_HOURS, "inside": True}] * 6, where


def _assert_collapsed_by_severity(
    seen: dict[str, Any], expected: list[WallAlert], where: str
) -> None:
    shown = set(seen["shown"])
    hidden = [a for a in expected if a.id not in shown]
    # The column shares its height with the map: three incidents with their parts, and
    # the line that counts the rest, are what every 16:9 screen shows (the layout scales).
    assert len(shown) >= min(len(expected), 3), f"{where}: too few alerts shown"
    if not hidden:
        assert seen["more"] is None, where
        return
    assert seen["more"] == {
        "hidden": len(hidden),
        "critical": sum(a.severity == "critical" for a in hidden),
        "warning": sum(a.severity == "warning" for a in hidden),
    }, where


async def test_a_4k_screen_shows_the_same_layout_twice_as_large(
    fit_wall: Settings, browser: Browser
) -> None:
    client = redis.Redis.from_url(fit_wall.redis_url.get_secret_value())
    replace_alerts(client, PREFIX, 12, now_utc())
    hd_page, hd = await _open(browser, fit_wall, (1920, 1080), "id", 12)
    uhd_page, uhd = await _open(browser, fit_wall, (3840, 2160), "id", 12)
    assert 1.9 <= uhd["fontSize"] / hd["fontSize"] <= 2.1
    assert hd["shown"] == uhd["shown"], "the same alerts fit on both"
    for hd_card, uhd_card in zip(hd["cards"], uhd["cards"], strict=True):
        assert abs(uhd_card["right"] - 2 * hd_card["right"]) <= 4
        assert abs(uhd_card["bottom"] - 2 * hd_card["bottom"]) <= 4
    for page in (hd_page, uhd_page):
        await page.context.close()


# The banner's longest cases: a day-old as-of time (the date is added), a seven-digit lag,
# the longest reason; and the page's own silence.
STALE_CASES: dict[str, dict[str, Any]] = {
    "behind": {"worker": "behind", "events_behind": 1_234_567},
    "unknown": {"worker": "unknown", "events_behind": None},
    "silent": {"worker": "current", "events_behind": 0},
}
# Shows each case as a snapshot would (freshness.js), measured in the same task, so no
# snapshot from the server comes between.
SHOW_STALE = """([freshness, silent]) => {
  const measure = MEASURE;
  const page = { lang: document.documentElement.lang,
    locale: document.documentElement.lang === "id" ? "id-ID" : "en-GB",
    timeZone: "Asia/Jakarta" };
  freshnessReceived(freshness, page);
  if (silent) { freshnessHeard.receivedAt = Date.now() - 3600 * 1000; showFreshness(page); }
  const banner = document.getElementById("freshness");
  return { ...measure(), banner: banner.hidden ? null : banner.textContent,
    state: document.body.dataset.freshness };
}""".replace("MEASURE", MEASURE)


async def test_the_stale_banner_fits_every_screen_and_moves_no_card(
    fit_wall: Settings, browser: Browser, screenshots: Path
) -> None:
    client = redis.Redis.from_url(fit_wall.redis_url.get_secret_value())
    replace_alerts(client, PREFIX, 12, now_utc())
    day_ago = (now_utc() - timedelta(days=1, minutes=3)).isoformat()
    for size in SIZES:
        for lang in LANGUAGES:
            page, current = await _open(browser, fit_wall, size, lang, 12)
            for reason, case in STALE_CASES.items():
                where = f"{size[0]}x{size[1]} {lang} {reason}"
                freshness = {**case, "checked_at": day_ago, "as_of": day_ago,
                             "silent_after_seconds": 15, "last_commit_at": None,
                             "lag_read_at": day_ago}  # fmt: skip
                seen = await page.evaluate(SHOW_STALE, [freshness, reason == "silent"])
                assert seen["banner"], where
                assert seen["state"] == ("unknown" if reason == "unknown" else "stale"), where
                _assert_fits(seen, size, where)
                assert seen["cards"] == current["cards"], f"{where}: the banner moved a card"
                shot = screenshots / f"wall-{size[0]}x{size[1]}-{lang}-stale-{reason}.png"
                await page.screenshot(path=str(shot), animations="disabled")
            await page.context.close()
