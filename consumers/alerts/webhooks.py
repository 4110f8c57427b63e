"""Sending each alert and incident change to the configured webhooks: JSON, retried with exponential
backoff; a delivery that still fails is logged, counted and kept in Redis for a later
retry, never dropped silently."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry

from pantau.context import Context
from pantau.contract.city import CityProfile
from pantau.contract.escalation import EscalationTier
from pantau.contract.keys import KeySpace
from pantau.contract.metrics import WEBHOOK_DELIVERIES
from pantau.instruments import counter
from pantau.state.alert_text import alert_texts
from pantau.state.alerts import AlertRecord
from pantau.state.incident_view import IncidentView

log = logging.getLogger("pantau.alerts")


@dataclass(frozen=True)
class Delivery:
    """One message for every webhook: what it is about (for the log) and its body."""

    about: str
    body: dict[str, object]
    # Who besides every change's webhooks (PANTAU_ALERT_WEBHOOKS) gets it: the webhooks
    # of the escalation tiers it concerns.
    also_to: tuple[str, ...] = ()


class WebhookNotifier:
    def __init__(
        self,
        urls: list[str],
        registry: CollectorRegistry,
        keys: KeySpace,
        undelivered: aioredis.Redis | None = None,
        profile: CityProfile | None = None,
        attempts: int = 5,
        first_backoff: float = 0.5,
    ) -> None:
        self.urls = urls
        self.undelivered = undelivered
        self.keys = keys
        self.profile = profile
        self.attempts = attempts
        self.first_backoff = first_backoff
        self.deliveries = counter(WEBHOOK_DELIVERIES, registry)

    def alert_delivery(self, record: AlertRecord) -> Delivery:
        """The machine fields as the alert store keeps them, and the alert as people read
        it in both languages (the wall's very words), so a receiver need not know the
        city's keys to forward it to a person."""
        body: dict[str, object] = {
            "kind": "alert",
            "change": record.state.value,
            "alert": json.loads(record.model_dump_json()),
        }
        if self.profile is not None:
            body["text"] = alert_texts(record, self.profile)
        return Delivery(f"alert {record.fingerprint} {record.state.value}: {record.summary}", body)

    def incident_delivery(
        self,
        incident: IncidentView,
        change: str,
        *,
        tier: EscalationTier | None = None,
        tier_number: int | None = None,
        also_to: tuple[str, ...] = (),
    ) -> Delivery:
        """An incident with its parts, and its headline in both languages; an escalation
        names the tier (number and role) it reached."""
        body: dict[str, object] = {
            "kind": "incident",
            "change": change,
            "incident": json.loads(incident.model_dump_json()),
            "text": incident.text,
        }
        about = f"incident {incident.short_id} {change}: {incident.text['en']}"
        if tier is not None:
            body["tier"] = {"number": tier_number, "role": tier.role}
            about += f" (tier {tier_number}, {tier.role})"
        return Delivery(about, body, also_to)

    async def notify(self, delivery: Delivery) -> None:
        log.warning("%s", delivery.about)
        urls = dict.fromkeys([*self.urls, *delivery.also_to])  # once each, in order
        async with httpx.AsyncClient(timeout=10) as client:
            await asyncio.gather(*(self._deliver(client, url, delivery.body) for url in urls))

    async def _deliver(self, client: httpx.AsyncClient, url: str, body: dict[str, object]) -> None:
        delay = self.first_backoff
        for attempt in range(1, self.attempts + 1):
            try:
                response = await client.post(url, json=body)
                if response.status_code < 500 and response.status_code != 429:
                    response.raise_for_status()
                    self.deliveries.labels("delivered").inc()
                    return
                reason = f"HTTP {response.status_code}"
            except httpx.HTTPStatusError as error:
                # A 4xx other than 429 will not get better by asking again.
                reason = f"HTTP {error.response.status_code}"
                break
            except httpx.HTTPError as error:
                reason = type(error).__name__
            if attempt < self.attempts:
                self.deliveries.labels("retried").inc()
                log.info("webhook %s: %s, retry %d in %.1f s", url, reason, attempt, delay)
                await asyncio.sleep(delay)
                delay *= 2
        self.deliveries.labels("failed").inc()
        log.error("webhook %s: gave up (%s)", url, reason)
        await self._keep(url, reason, body)

    async def keep_undelivered(self, delivery: Delivery, reason: str) -> None:
        """Keep a message no webhook was sent, for a later retry, as a failed one is kept."""
        for url in dict.fromkeys([*self.urls, *delivery.also_to]):
            await self._keep(url, reason, delivery.body)

    async def _keep(self, url: str, reason: str, body: dict[str, object]) -> None:
        if self.undelivered is not None:
            failed = {"url": url, "reason": reason, "at": datetime.now(UTC).isoformat(), **body}
            await self.undelivered.rpush(self.keys.undelivered_webhooks, json.dumps(failed))


class DeliveryQueue:
    """Alert and incident changes handed to the webhooks in the order they happened, by
    one sender of their own: a webhook that is slow or down (each retried for seconds)
    delays its own deliveries, never the alert lifecycle in Redis nor the changes behind
    it. What is still queued when the notifier stops is kept with the undelivered, not dropped."""

    def __init__(self, notifier: WebhookNotifier) -> None:
        self.notifier = notifier
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self.sender: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.sender = asyncio.create_task(self._send())

    def put(self, delivery: Delivery) -> None:
        self.queue.put_nowait(delivery)

    async def _send(self) -> None:
        while True:
            delivery = await self.queue.get()
            try:
                await self.notifier.notify(delivery)
            except Exception:  # one change that fails to go out must not stop the rest
                log.exception("%s: delivery failed", delivery.about)
            finally:
                self.queue.task_done()

    async def close(self, drain_seconds: float = 10.0) -> None:
        """Let the queue drain for a while, then keep what is left for a later retry."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), drain_seconds)
        if self.sender is not None:
            self.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.sender
        while not self.queue.empty():
            await self.notifier.keep_undelivered(self.queue.get_nowait(), "notifier stopped")


def webhook_notifier(context: Context, registry: CollectorRegistry) -> WebhookNotifier:
    """The webhooks of PANTAU_ALERT_WEBHOOKS, with failures kept under the live prefix."""
    urls = [url.strip() for url in context.settings.alert_webhooks.split(",") if url.strip()]
    return WebhookNotifier(urls, registry, context.keys, context.async_redis(), context.profile)
