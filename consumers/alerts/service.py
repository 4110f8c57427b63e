"""`pantau run alerts`: the notifier. It applies the stream's alert events from Kafka and
Alertmanager's webhook calls to one lifecycle store, sends every change to the webhooks,
and serves the active alerts (JSON and Prometheus gauges) to the wall and Grafana."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from consumers.alerts.alertmanager import AlertmanagerPayload, fingerprint_of, from_alertmanager
from consumers.alerts.lifecycle import from_stream
from consumers.alerts.webhooks import DeliveryQueue, webhook_notifier
from pantau.context import Context
from pantau.contract.alerts import parse_alert
from pantau.contract.connections import kafka_options
from pantau.contract.errors import ContractError
from pantau.contract.metrics import ALERTS_ACTIVE
from pantau.contract.settings import Settings
from pantau.contract.topics import ALERTS
from pantau.instruments import gauge_family
from pantau.state.alerts import AlertRecord, AlertStore

log = logging.getLogger("pantau.alerts")


class ActiveAlertsCollector(Collector):
    def __init__(self, store: AlertStore) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = gauge_family(ALERTS_ACTIVE)
        counts = Counter(
            (r.alertname, r.state.value, r.labels.get("dimension", "")) for r in self.store.all()
        )
        for labels, count in counts.items():
            gauge.add_metric(list(labels), count)
        yield gauge


def create_app(context: Context, *, consume: bool = True) -> FastAPI:
    settings = context.settings
    store = AlertStore(context.redis, context.keys)
    registry = CollectorRegistry()
    registry.register(ActiveAlertsCollector(store))
    deliveries = DeliveryQueue(webhook_notifier(context, registry))

    async def apply(fingerprint: str, change: Any) -> None:
        changed = await run_in_threadpool(store.update, fingerprint, change)
        if changed is not None:
            deliveries.put(changed)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        deliveries.start()
        task = asyncio.create_task(_consume(settings, apply)) if consume else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await deliveries.close()

    app = FastAPI(title="Pantau alerts", lifespan=lifespan)

    @app.post("/alertmanager")
    async def alertmanager(payload: AlertmanagerPayload) -> dict[str, int]:
        for alert in payload.alerts:
            await apply(fingerprint_of(alert), lambda r, a=alert: from_alertmanager(r, a))
        return {"received": len(payload.alerts)}

    @app.get("/alerts")
    def active(include_resolved: bool = False) -> list[AlertRecord]:
        return store.all(include_resolved)

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


async def _consume(settings: Settings, apply: Any) -> None:
    consumer = AIOKafkaConsumer(
        ALERTS.name,
        bootstrap_servers=settings.kafka_bootstrap,
        **kafka_options(settings),
        group_id=f"{settings.redis_prefix}-alerts",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        async for record in consumer:
            try:
                event = parse_alert(record.value)
            except ContractError as error:
                log.error("alerts[%d]@%d skipped: %s", record.partition, record.offset, error)
                continue
            await apply(event.fingerprint, lambda r, e=event: from_stream(r, e))
            # The lifecycle is idempotent: committing after applying is enough.
            await consumer.commit()
    finally:
        await consumer.stop()


def record_json(record: AlertRecord) -> str:
    return json.dumps(json.loads(record.model_dump_json()), indent=2, ensure_ascii=False)
