"""`pantau run alerts`: the notifier. It applies the stream's spike alerts from Kafka and
Alertmanager's webhook calls to one lifecycle store, groups the spikes of one surge into
an incident (pantau/detection/incidents.py), sends each incident's page, acknowledgement
and resolution and each pipeline alert's changes to the webhooks, and serves the active
alerts and incidents (JSON and Prometheus gauges)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime

import redis
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI, HTTPException, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from consumers.alerts.acknowledging import (
    Acknowledging,
    NothingToAcknowledgeError,
    UnknownAlertError,
    acknowledge_alert,
    acknowledge_incident,
    find_incident,
)
from consumers.alerts.alertmanager import (
    AlertmanagerAlert,
    AlertmanagerPayload,
    fingerprint_of,
    from_alertmanager,
)
from consumers.alerts.auth import Credentials, check_alertmanager, operator_of
from consumers.alerts.lifecycle import from_stream
from consumers.alerts.paging import IncidentPager
from consumers.alerts.steps import StepRecorder
from consumers.alerts.webhooks import DeliveryQueue, webhook_notifier
from pantau.context import Context
from pantau.contract.alerts import AlertEvent, parse_alert
from pantau.contract.connections import kafka_options
from pantau.contract.errors import ContractError
from pantau.contract.metrics import ALERTS_ACTIVE
from pantau.contract.settings import Settings
from pantau.contract.topics import ALERTS
from pantau.instruments import gauge_family
from pantau.publisher import EventPublisher
from pantau.state.alerts import AlertRecord, AlertStore
from pantau.state.incident_log import IncidentLog
from pantau.state.incident_view import IncidentView, incident_views

log = logging.getLogger("pantau.alerts")
RECONCILE_SECONDS = 5


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
    notifier = webhook_notifier(context, registry)
    deliveries = DeliveryQueue(notifier)
    incidents = IncidentLog(context.redis, context.keys)
    steps = StepRecorder(EventPublisher(settings, client_id="pantau-notifier"))
    pager = IncidentPager(
        incidents,
        context.profile,
        notifier,
        deliveries.put,
        steps,
        settings.escalation_urls(),
    )

    async def apply_pipeline_alert(alert: AlertmanagerAlert) -> None:
        # Alertmanager has grouped these already: each change goes out as it is.
        fingerprint = fingerprint_of(alert)
        change = lambda r: from_alertmanager(r, alert)  # noqa: E731
        changed = await run_in_threadpool(store.update, fingerprint, change)
        if changed is not None:
            deliveries.put(notifier.alert_delivery(changed))

    async def apply_spike(event: AlertEvent) -> None:
        # A spike is a part of an incident: the incident is what goes out.
        change = lambda r: from_stream(r, event)  # noqa: E731
        changed = await run_in_threadpool(store.update, event.fingerprint, change)
        if changed is not None:
            await run_in_threadpool(incidents.append, event)
        pager.clock.observe(event.occurred_at)
        await run_in_threadpool(pager.reconcile)

    async def reconcile_forever() -> None:
        # An area incident's wait ends, an operator acknowledges: no alert event says so.
        while True:
            await asyncio.sleep(RECONCILE_SECONDS)
            try:
                await run_in_threadpool(pager.reconcile)
            except redis.RedisError as error:
                log.warning("incidents not reconciled (%s); next in %d s", error, RECONCILE_SECONDS)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        deliveries.start()
        tasks = [asyncio.create_task(reconcile_forever())]
        if consume:
            tasks.append(asyncio.create_task(_consume(settings, apply_spike)))
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await deliveries.close()
        await run_in_threadpool(steps.close)

    app = FastAPI(title="Pantau alerts", lifespan=lifespan)

    @app.post("/alertmanager")
    async def alertmanager(
        payload: AlertmanagerPayload, credentials: Credentials
    ) -> dict[str, int]:
        check_alertmanager(settings, credentials)
        for alert in payload.alerts:
            await apply_pipeline_alert(alert)
        return {"received": len(payload.alerts)}

    @app.get("/alerts")
    def active(include_resolved: bool = False) -> list[AlertRecord]:
        return store.all(include_resolved)

    @app.get("/incidents")
    def incident_list(include_resolved: bool = False) -> list[IncidentView]:
        views = incident_views(incidents.events(), incidents.acknowledgements(), context.profile)
        return [view for view in views if include_resolved or view.active]

    @app.post("/incidents/{identifier}/acknowledge")
    def acknowledge_an_incident(
        identifier: str, body: Acknowledging, credentials: Credentials
    ) -> IncidentView:
        """Take an incident and all its parts; the webhooks and the audit hear of it."""
        by = operator_of(settings, credentials)
        incident = find_incident(incidents, context.profile, identifier)
        if incident is None:
            raise HTTPException(404, detail=f"no incident {identifier}")
        try:
            acknowledge_incident(incidents, store, incident, by, body.comment, datetime.now(UTC))
        except NothingToAcknowledgeError as error:
            raise HTTPException(409, detail=str(error)) from None
        pager.reconcile()  # tell the webhooks now, not at the next round
        taken = find_incident(incidents, context.profile, incident.incident_id)
        return taken or incident

    @app.post("/alerts/{fingerprint}/acknowledge")
    def acknowledge_a_pipeline_alert(
        fingerprint: str, body: Acknowledging, credentials: Credentials
    ) -> AlertRecord:
        by = operator_of(settings, credentials)
        try:
            changed = acknowledge_alert(store, fingerprint, by, body.comment, datetime.now(UTC))
        except UnknownAlertError as error:
            raise HTTPException(404, detail=str(error)) from None
        except NothingToAcknowledgeError as error:
            raise HTTPException(409, detail=str(error)) from None
        deliveries.put(notifier.alert_delivery(changed))
        return changed

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


async def _consume(settings: Settings, apply: Callable[[AlertEvent], Awaitable[None]]) -> None:
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
            await apply(event)
            # The lifecycle is idempotent: committing after applying is enough.
            await consumer.commit()
    finally:
        await consumer.stop()


def record_json(record: AlertRecord) -> str:
    return json.dumps(json.loads(record.model_dump_json()), indent=2, ensure_ascii=False)
