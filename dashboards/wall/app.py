"""`pantau run wall`: the full-screen page for the command-center TVs and its event stream.

GET /            the page (no CDN: its script and styles are served from here)
GET /events      server-sent events: the snapshot now, then every change
GET /snapshot.json  the same document once, for scripts and checks
GET /health      liveness
GET /metrics     Prometheus: pages connected, when the figures were last read and sent, the
                 worker's lag as the wall reads it
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sse_starlette.sse import EventSourceResponse

from dashboards.wall.feed import HEARTBEAT_SECONDS, WallFeed
from dashboards.wall.freshness import Freshness, judge
from dashboards.wall.kafka_offsets import KafkaTopicOffsets
from dashboards.wall.lag import LagReader, redis_offsets
from dashboards.wall.metrics import WallMetrics
from dashboards.wall.newest import NewestComplaints
from dashboards.wall.snapshot import WallSnapshot, snapshot
from pantau.context import Context
from pantau.state.alerts import AlertStore
from pantau.state.incident_log import IncidentLog

log = logging.getLogger("pantau.wall")
STATIC = Path(__file__).resolve().parent / "static"
RECONNECT_MS = 1000


def create_app(context: Context, registry: CollectorRegistry | None = None) -> FastAPI:
    settings, city, query = context.settings, context.profile, context.query
    alerts = AlertStore(query.redis, query.keys)
    incidents = IncidentLog(query.redis, query.keys)
    newest = NewestComplaints(city)
    registry = registry or CollectorRegistry()
    metrics = WallMetrics(registry)
    lag_redis = context.async_redis()  # first used, and so owned, by the server's loop
    lag = LagReader(KafkaTopicOffsets(settings), redis_offsets(lag_redis, context.keys), metrics)
    stale_after = timedelta(seconds=settings.wall_stale_after)

    def freshness() -> Freshness:
        now = datetime.now(UTC)
        heartbeat = timedelta(seconds=HEARTBEAT_SECONDS)
        return judge(lag.latest, lag.last_commit_at, now, stale_after, heartbeat)

    def compute() -> WallSnapshot:
        return snapshot(query, alerts, incidents, newest.lines(), city, freshness())

    feed = WallFeed(compute, [context.keys.changes_channel, alerts.changes_channel], metrics)

    async def follow_complaints() -> None:
        while True:
            try:
                await newest.follow(settings, feed.mark_dirty)
            except Exception as error:  # the broker may be away; the figures still flow
                log.warning("complaint tail stopped (%s); retrying", error)
                await asyncio.sleep(2)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        notices = context.async_redis()
        await lag.read()  # so that the first snapshot knows the lag (at most a few seconds)
        await feed.refresh()
        tasks = [
            asyncio.create_task(lag.read_forever()),
            asyncio.create_task(feed.refresh_forever()),
            asyncio.create_task(feed.listen_forever(notices)),
            asyncio.create_task(follow_complaints()),
        ]
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await notices.aclose()
        await lag.kafka.reset()
        await lag_redis.aclose()

    app = FastAPI(title="Pantau wall", lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/events")
    async def events() -> EventSourceResponse:
        async def stream() -> AsyncIterator[dict[str, Any]]:
            metrics.clients.inc()
            try:
                async for text in feed.updates():
                    yield {"event": "snapshot", "data": text, "retry": RECONNECT_MS}
            finally:  # a page that went away, or the server stopping
                metrics.clients.dec()

        return EventSourceResponse(stream(), ping=15)

    @app.get("/snapshot.json")
    async def current() -> Response:
        document = await asyncio.to_thread(compute)
        return Response(document.model_dump_json(), media_type="application/json")

    @app.get("/health")
    async def health() -> dict[str, object]:
        return {"status": "ok", "version": feed.version}

    @app.get("/metrics", include_in_schema=False)
    async def exposition() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
