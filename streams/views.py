"""The worker's web pages: /metrics for Prometheus and /health for probes."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.app import Worker


def add_views(worker: Worker) -> None:
    app = worker.app

    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        # The city gauges read Redis synchronously: keep that off the event loop.
        body = await asyncio.get_running_loop().run_in_executor(
            None, generate_latest, worker.registry
        )
        # aiohttp refuses a charset in content_type, so the header is set whole.
        return web.bytes(body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page("/health")
    async def health(web: Any, request: Any) -> Any:
        try:
            redis_ok = bool(await worker.redis.ping())
        except Exception:
            redis_ok = False
        owned = sorted(f"{tp.topic}[{tp.partition}]" for tp in worker.owned)
        body = {"status": "ok" if redis_ok else "degraded", "redis": redis_ok, "partitions": owned}
        return web.json(body, status=200 if redis_ok else 503)
