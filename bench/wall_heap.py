"""`pantau dev wall-heap`: the wall page in headless Chromium against a running stack, its
JavaScript heap read after forced garbage collection (Chrome DevTools Protocol) once the
page has warmed up and again at the end. A TV shows the page for weeks: nothing it keeps
of each snapshot may pile up."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from urllib.parse import urljoin

import httpx
from playwright.async_api import CDPSession, Page, ViewportSize, async_playwright

from bench.heap import HeapPlan, HeapReading

# Exact figures from performance.memory (Chromium rounds them otherwise).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--enable-precise-memory-info"]  # fmt: skip
FIRST_SNAPSHOT = "() => !!document.body.dataset.updated"


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError("no chromium on the PATH: install it with `pantau stack install`")
    return found


async def _sent(url: str) -> int:
    """How many snapshots the wall has sent since it started (its /health version)."""
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(urljoin(url, "/health"))
        answer.raise_for_status()
        return int(answer.json()["version"])


async def _read(session: CDPSession, page: Page, minute: float, snapshots: int) -> HeapReading:
    # Twice: what the first collection's finalizers let go is collected by the second.
    for _ in range(2):
        await session.send("HeapProfiler.collectGarbage")
    usage = await session.send("Runtime.getHeapUsage")
    counters = await session.send("Memory.getDOMCounters")
    performance = await page.evaluate("() => performance.memory.usedJSHeapSize")
    return HeapReading(
        minute=minute,
        used_bytes=int(usage["usedSize"]),
        total_bytes=int(usage["totalSize"]),
        performance_used_bytes=int(performance),
        dom_nodes=int(counters["nodes"]),
        listeners=int(counters["jsEventListeners"]),
        snapshots=snapshots,
    )


async def measure(
    url: str, plan: HeapPlan, viewport: tuple[int, int], say: Callable[[str], None]
) -> tuple[HeapReading, HeapReading]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            size: ViewportSize = {"width": viewport[0], "height": viewport[1]}
            context = await browser.new_context(viewport=size)
            page = await context.new_page()
            await page.goto(url)
            await page.wait_for_function(FIRST_SNAPSHOT, timeout=60_000)
            opened, sent_before = time.monotonic(), await _sent(url)
            session = await context.new_cdp_session(page)
            readings = []
            for minute in (plan.first_minute, plan.last_minute):
                say(f"reading the heap at minute {minute:g}")
                await asyncio.sleep(max(0.0, opened + 60 * minute - time.monotonic()))
                snapshots = await _sent(url) - sent_before
                readings.append(await _read(session, page, minute, snapshots))
        finally:
            await browser.close()
    return readings[0], readings[1]
