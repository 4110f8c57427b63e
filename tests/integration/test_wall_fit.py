"""The wall fits its screen, whatever it has to show: at 1366x768, 1920x1080 and 3840x2160,
in Indonesian and English, with 0, 1, 12 and 60 active alerts and the profile's longest
names, measured by element boxes in Chromium. Nothing scrolls, no text leaves its box,
the six dimension cards stay whole on screen, and the alerts that do not fit are counted
by severity in one "+N more" line.

Screenshots go to PANTAU_WALL_SCREENSHOTS (default: a pytest temporary folder); with
PANTAU_WALL_README_SHOT=path the 1920x1080 Indonesian one with 12 alerts is also saved
there (the README's docs/wall.png)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import redis
import redis.asyncio as aioredis
from playwright.async_api import Browser, Page, async_playwright

from dashboards.wall.app import create_app as create_wall
from dashboards.wall.snapshot import severity
from pantau.context import Context
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.state.alerts import AlertRecord
from pantau.state.store import StateStore
from tests.integration.servers import Server
from tests.integration.test_intake import _free_port
from tests.integration.test_wall import CHROMIUM
from tests.integration.wall_seed import (
    active_alerts,
    city_events,
    now_utc,
    publish_newest,
    replace_alerts,
    write_state,
)
from tests.integration.worker_helpers import PROFILE

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
    overflowing: visible.filter((n) => n.clientWidth && (n.scrollWidth > n.clientWidth + 1
      || n.scrollHeight > n.clientHeight + 1)).map(name),
    shown: [...document.querySelectorAll("#alerts li[data-fingerprint]")]
      .filter((n) => !n.hidden).map((n) => n.dataset.fingerprint),
    more: more && { hidden: +more.hidden, critical: +more.critical, warning: +more.warning },
    fontSize: parseFloat(getComputedStyle(document.documentElement).fontSize),
  };
}"""

# The page has drawn the figures, the newest complaints and exactly the alerts given.
READY = """(n) =>
  document.querySelectorAll("[data-dimension] [data-figure='headline_value']").length === 6
  && document.querySelectorAll("#newest li").length > 0
  && (n === 0 ? !!document.querySelector("#alerts li.none")
      : document.querySelectorAll("#alerts li[data-fingerprint]").length === n)"""


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
                StateStore(state, KeySpace(PREFIX), PROFILE.timezone), city_events(now)
            )

    asyncio.run(seed())
    publish_newest(settings, now)
    with Server(create_wall(Context(settings)), settings.wall_port):
        yield settings


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
    records = active_alerts(alerts, now_utc())
    replace_alerts(redis.Redis.from_url(fit_wall.redis_url.get_secret_value()), PREFIX, records)
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
            _assert_collapsed_by_severity(seen, records, where)


def _assert_fits(seen: dict[str, Any], size: tuple[int, int], where: str) -> None:
    assert seen["viewport"] == list(size), where
    assert seen["scroll"][0] <= size[0] and seen["scroll"][1] <= size[1], where
    assert len(seen["cards"]) == 6, where
    for card in seen["cards"]:
        assert card["left"] >= 0 and card["top"] >= 0, (where, card)
        assert card["right"] <= size[0] and card["bottom"] <= size[1], (where, card)
    assert seen["outside"] == [], (where, seen["outside"])
    assert seen["overflowing"] == [], (where, seen["overflowing"])


def _assert_collapsed_by_severity(
    seen: dict[str, Any], records: list[AlertRecord], where: str
) -> None:
    shown = set(seen["shown"])
    hidden = [r for r in records if r.fingerprint not in shown]
    assert len(shown) >= min(len(records), 4), f"{where}: too few alerts shown"
    if not hidden:
        assert seen["more"] is None, where
        return
    assert seen["more"] == {
        "hidden": len(hidden),
        "critical": sum(severity(r) == "critical" for r in hidden),
        "warning": sum(severity(r) == "warning" for r in hidden),
    }, where


async def test_a_4k_screen_shows_the_same_layout_twice_as_large(
    fit_wall: Settings, browser: Browser
) -> None:
    replace_alerts(
        redis.Redis.from_url(fit_wall.redis_url.get_secret_value()),
        PREFIX,
        active_alerts(12, now_utc()),
    )
    hd_page, hd = await _open(browser, fit_wall, (1920, 1080), "id", 12)
    uhd_page, uhd = await _open(browser, fit_wall, (3840, 2160), "id", 12)
    assert 1.9 <= uhd["fontSize"] / hd["fontSize"] <= 2.1
    assert hd["shown"] == uhd["shown"], "the same alerts fit on both"
    for hd_card, uhd_card in zip(hd["cards"], uhd["cards"], strict=True):
        assert abs(uhd_card["right"] - 2 * hd_card["right"]) <= 4
        assert abs(uhd_card["bottom"] - 2 * hd_card["bottom"]) <= 4
    for page in (hd_page, uhd_page):
        await page.context.close()
