"""The wall's one source of updates: recompute the snapshot when Redis announces a change
(a committed batch, an alert's change), and wake every connected page. One computation
per change, however many TVs watch; bursts are coalesced. Every heartbeat a snapshot is
sent even when no figure moved, so a page that hears nothing for a while knows that its
figures may be old."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis
import redis.asyncio as aioredis

from dashboards.wall.metrics import WallMetrics
from dashboards.wall.snapshot import WallSnapshot

log = logging.getLogger("pantau.wall")
COALESCE_SECONDS = 0.2
# Without any notice the snapshot is still refreshed and sent this often: a new day, a
# Redis that came back, an alert whose notice was missed while the wall was reconnecting,
# and the pages' proof that the wall still reads (dashboards/wall/freshness.py).
HEARTBEAT_SECONDS = 5.0


class WallFeed:
    def __init__(
        self,
        compute: Callable[[], WallSnapshot],
        channels: list[str],
        metrics: WallMetrics | None = None,
    ) -> None:
        self.compute = compute
        self.channels = channels
        self.metrics = metrics
        self.latest: str | None = None
        self.version = 0
        self._shown: dict[str, Any] | None = None  # the latest, less its freshness
        self._dirty = asyncio.Event()
        self._published = asyncio.Condition()

    def mark_dirty(self) -> None:
        self._dirty.set()

    async def refresh_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), timeout=HEARTBEAT_SECONDS)
            self._dirty.clear()
            await self.refresh()
            await asyncio.sleep(COALESCE_SECONDS)

    async def refresh(self) -> None:
        try:
            text, shown = await asyncio.to_thread(self._read)
        except redis.RedisError as error:
            # The pages keep the last figures and, a few heartbeats on, say how old they
            # are; the next beat retries.
            log.warning("wall snapshot not readable: %s", type(error).__name__)
            return
        if self.metrics is not None:
            self.metrics.last_refresh.set_to_current_time()
            if shown != self._shown:
                self.metrics.last_update.set_to_current_time()
        self._shown = shown
        self.latest = text
        self.version += 1
        async with self._published:
            self._published.notify_all()

    def _read(self) -> tuple[str, dict[str, Any]]:
        document = self.compute()
        return document.model_dump_json(), document.model_dump(exclude={"freshness"})

    async def listen_forever(self, client: aioredis.Redis) -> None:
        while True:
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(*self.channels)
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self.mark_dirty()
            except redis.RedisError as error:
                log.warning("change notices interrupted (%s); resubscribing", error)
                await asyncio.sleep(1)

    def _newer_than(self, seen: int) -> Callable[[], bool]:
        return lambda: self.version != seen

    async def updates(self) -> AsyncIterator[str]:
        """The current snapshot at once, then each new one."""
        seen = -1
        while True:
            async with self._published:
                await self._published.wait_for(self._newer_than(seen))
            seen = self.version
            if self.latest is not None:
                yield self.latest
