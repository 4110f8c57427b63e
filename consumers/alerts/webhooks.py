"""Sending each alert change to the configured webhooks: JSON, retried with exponential
backoff; a delivery that still fails is logged, counted and kept in Redis for a later
retry, never dropped silently."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

import httpx
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry

from pantau.context import Context
from pantau.contract.city import CityProfile
from pantau.contract.keys import KeySpace
from pantau.contract.metrics import WEBHOOK_DELIVERIES
from pantau.instruments import counter
from pantau.state.alert_text import alert_texts
from pantau.state.alerts import AlertRecord

log = logging.getLogger("pantau.alerts")


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

    def payload(self, record: AlertRecord) -> dict[str, object]:
        """The machine fields as the alert store keeps them, and the alert as people read
        it in both languages (the wall's very words), so a receiver need not know the
        city's keys to forward it to a person."""
        body: dict[str, object] = {
            "change": record.state.value,
            "alert": json.loads(record.model_dump_json()),
        }
        if self.profile is not None:
            body["text"] = alert_texts(record, self.profile)
        return body

    async def notify(self, record: AlertRecord) -> None:
        body = self.payload(record)
        log.warning("alert %s %s: %s", record.state.value, record.fingerprint, record.summary)
        async with httpx.AsyncClient(timeout=10) as client:
            await asyncio.gather(*(self._deliver(client, url, body) for url in self.urls))

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
        if self.undelivered is not None:
            failed = {"url": url, "reason": reason, "at": datetime.now(UTC).isoformat(), **body}
            await self.undelivered.rpush(self.keys.undelivered_webhooks, json.dumps(failed))


def webhook_notifier(context: Context, registry: CollectorRegistry) -> WebhookNotifier:
    """The webhooks of PANTAU_ALERT_WEBHOOKS, with failures kept under the live prefix."""
    urls = [url.strip() for url in context.settings.alert_webhooks.split(",") if url.strip()]
    return WebhookNotifier(urls, registry, context.keys, context.async_redis(), context.profile)
