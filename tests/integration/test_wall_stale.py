"""Honest when stale, in headless Chromium against a real worker, Kafka and Redis: the live
page shows no banner; with the worker stopped and events arriving, the banner says since
when the figures hold and by how many events the worker is behind, in each language's
numbers and the city's time, and the figures dim; the restarted worker takes it away. A
page that the wall's pushes no longer reach says so, and a wall that cannot reach Kafka
says the lag is unknown rather than zero."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from dashboards.wall.app import create_app as create_wall
from pantau.context import Context
from pantau.contract.settings import Settings
from tests.integration.servers import Server
from tests.integration.tcp_proxy import FaultyProxy
from tests.integration.test_intake import _free_port
from tests.integration.test_wall import CHROMIUM
from tests.integration.worker_helpers import (
    PROFILE,
    publish_feed,
    start_worker,
    stop,
    wait_caught_up,
)

PREFIX = "pantau-t-wall-stale"
# The default (30 s) would only make the test slower; the rule is the same.
STALE_AFTER = 4.0
LATE = 1250  # four digits: the thousands separator shows
CITY = ZoneInfo(PROFILE.city.timezone)


class Worker:
    """The prefix's one worker, which the tests stop and start again."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.settings, self.log = settings, log
        self.web_port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_worker(self.settings, PREFIX, PREFIX, self.web_port, self.log)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


class StaleWall:
    def __init__(self, settings: Settings, worker: Worker, proxy: FaultyProxy) -> None:
        self.settings, self.worker, self.proxy = settings, worker, proxy

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.wall_port}"

    @property
    def proxied_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy.listen_port}"


@pytest.fixture(scope="module")
def stale_wall(
    live_stack: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StaleWall]:
    settings = live_stack.model_copy(
        update={"redis_prefix": PREFIX, "wall_port": _free_port(), "wall_stale_after": STALE_AFTER}
    )
    worker = Worker(settings, tmp_path_factory.mktemp("wall-stale") / "worker.log")
    worker.start()
    try:
        with (
            Server(create_wall(Context(settings)), settings.wall_port),
            FaultyProxy(_free_port(), "127.0.0.1", settings.wall_port) as proxy,
        ):
            yield StaleWall(settings, worker, proxy)
    finally:
        worker.stop()
        print(worker.log.read_text(errors="replace")[-3000:])


@pytest_asyncio.fixture(loop_scope="function")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield launched
        await launched.close()


async def _open(browser: Browser, url: str, lang: str = "id") -> Page:
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.goto(f"{url}/?lang={lang}")
    await page.wait_for_function("() => !!document.body.dataset.freshness", timeout=30_000)
    return page


async def _until(page: Page, condition: str, argument: object = None, timeout: float = 30) -> None:
    await page.wait_for_function(condition, arg=argument, timeout=timeout * 1000)


BANNER = """() => {
  const banner = document.getElementById("freshness");
  const opacity = (selector) => +getComputedStyle(document.querySelector(selector)).opacity;
  return { hidden: banner.hidden, text: banner.textContent, ...banner.dataset,
           state: document.body.dataset.freshness,
           connection: getComputedStyle(document.getElementById("connection")).visibility,
           opacities: [".dimensions", ".newest", ".map"].map(opacity) };
}"""


async def _banner(page: Page) -> dict[str, Any]:
    return dict(await page.evaluate(BANNER))


def _freshness(wall: StaleWall) -> dict[str, Any]:
    document = httpx.get(f"{wall.url}/snapshot.json", timeout=10).json()
    return dict(document["freshness"])


CURRENT = "() => document.body.dataset.freshness === 'current'"
REASON = "r => document.getElementById('freshness').dataset.reason === r"


async def test_a_stopped_worker_shows_how_far_behind_and_its_return_clears_it(
    stale_wall: StaleWall, browser: Browser
) -> None:
    settings = stale_wall.settings
    publish_feed(settings, seed=4101, count=60)
    await wait_caught_up(settings, PREFIX)
    pages = {lang: await _open(browser, stale_wall.url, lang) for lang in ("id", "en")}
    for page in pages.values():
        await _until(page, CURRENT)
    # Caught up and idle past the threshold and a few heartbeats: nothing to say.
    await asyncio.sleep(STALE_AFTER + 6)
    for page in pages.values():
        assert (await _banner(page))["state"] == "current"

    stale_wall.worker.stop()
    sent_from = datetime.now(UTC)
    publish_feed(settings, seed=4102, count=LATE)
    sent_until = datetime.now(UTC)
    for page in pages.values():
        await _until(page, REASON, "behind")
    seen = {lang: await _banner(page) for lang, page in pages.items()}
    assert seen["id"]["lag"] == seen["en"]["lag"] == str(LATE)
    as_of = datetime.fromisoformat(seen["id"]["asOf"])
    # The first event the worker has not applied reached Kafka while the test sent.
    assert sent_from - timedelta(seconds=1) <= as_of <= sent_until + timedelta(seconds=1)
    local = as_of.astimezone(CITY)
    assert seen["id"]["text"] == f"Data per {local:%H.%M}, worker tertinggal 1.250 kejadian"
    assert seen["en"]["text"] == f"Data from {local:%H:%M}, worker behind by 1,250 events"
    assert all(opacity < 1 for opacity in seen["id"]["opacities"])  # the figures dim
    # No green "live" beside a banner saying the figures are old.
    assert seen["id"]["connection"] == seen["en"]["connection"] == "hidden"
    freshness = _freshness(stale_wall)
    assert (freshness["worker"], freshness["events_behind"]) == ("behind", LATE)
    assert freshness["last_commit_at"] is not None
    assert datetime.fromisoformat(freshness["last_commit_at"]) < sent_from

    stale_wall.worker.start()
    for page in pages.values():
        await _until(page, CURRENT, timeout=90)
        banner = await _banner(page)
        assert banner["hidden"] and banner["opacities"] == [1, 1, 1]
        assert banner["connection"] == "visible"
    await wait_caught_up(settings, PREFIX)
    for page in pages.values():
        await page.context.close()


async def test_a_page_the_pushes_no_longer_reach_says_so(
    stale_wall: StaleWall, browser: Browser
) -> None:
    page = await _open(browser, stale_wall.proxied_url)
    await _until(page, CURRENT, timeout=90)
    stale_wall.proxy.stall()
    try:
        started = time.monotonic()
        await _until(page, REASON, "silent", timeout=40)
        silent_after = _freshness(stale_wall)["silent_after_seconds"]
        assert time.monotonic() - started >= silent_after - 5  # no earlier than 3 beats
        banner = await _banner(page)
        local = datetime.fromisoformat(banner["asOf"]).astimezone(CITY)
        assert banner["text"] == f"Data per {local:%H.%M}, layar ini tidak menerima pembaruan"
        assert all(opacity < 1 for opacity in banner["opacities"])
    finally:
        stale_wall.proxy.heal()
    await _until(page, CURRENT)
    await page.context.close()


async def test_a_wall_that_cannot_reach_kafka_says_the_lag_is_unknown(
    stale_wall: StaleWall, browser: Browser
) -> None:
    nowhere = stale_wall.settings.model_copy(
        update={"kafka_bootstrap": f"127.0.0.1:{_free_port()}", "wall_port": _free_port()}
    )
    with Server(create_wall(Context(nowhere)), nowhere.wall_port):
        url = f"http://127.0.0.1:{nowhere.wall_port}"
        page = await _open(browser, url, "en")
        await _until(page, REASON, "unknown")
        banner = await _banner(page)
        assert banner["text"] == "Kafka unreachable, worker lag unknown"
        assert banner["state"] == "unknown" and banner["lag"] == ""
        freshness = httpx.get(f"{url}/snapshot.json", timeout=10).json()["freshness"]
        assert (freshness["worker"], freshness["events_behind"]) == ("unknown", None)
        await page.context.close()


# The page's own decision, given snapshots' freshness by hand.
DECIDE = """([cases, now]) => cases.map(([freshness, receivedAgo]) => {
  const notice = freshnessNotice(freshness, now - receivedAgo * 1000, now);
  const page = { lang: "en", locale: "en-GB", timeZone: "Asia/Jakarta" };
  return notice && { ...notice, text: freshnessText(notice, page, now) };
})"""


async def test_the_page_decides_from_the_snapshot_and_its_own_silence(
    stale_wall: StaleWall, browser: Browser
) -> None:
    page = await _open(browser, stale_wall.url)
    now = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)  # 14:30 in Mojokerto
    at = (now - timedelta(minutes=28)).isoformat().replace("+00:00", "Z")
    yesterday = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")

    def freshness(worker: str, behind: int | None, as_of: str | None = at) -> dict[str, Any]:
        return {"worker": worker, "events_behind": behind, "as_of": as_of,
                "checked_at": at, "silent_after_seconds": 15}  # fmt: skip

    cases = [
        (freshness("current", 120), 2),  # a busy worker, heard 2 s ago
        (freshness("behind", 1), 2),
        (freshness("behind", 3200, yesterday), 2),
        (freshness("unknown", None), 2),
        (freshness("unknown", None, None), 2),
        (freshness("behind", 3200), 16),  # three beats without a word: silence first
        (freshness("current", 0), 14),
    ]
    decided = await page.evaluate(DECIDE, [cases, now.timestamp() * 1000])
    texts = [d and d["text"] for d in decided]
    assert texts == [
        None,
        "Data from 14:02, worker behind by 1 event",
        "Data from 26 Nov 14:30, worker behind by 3,200 events",
        "Data from 14:02, Kafka unreachable, worker lag unknown",
        "Kafka unreachable, worker lag unknown",
        "Data from 14:02, no updates are reaching this screen",
        None,
    ]
    assert [d and d["state"] for d in decided] == [
        None, "stale", "stale", "unknown", "unknown", "stale", None,
    ]  # fmt: skip
    await page.context.close()
