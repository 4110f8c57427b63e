"""Alertmanager's webhook payload, turned into the same lifecycle as the stream's alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from consumers.alerts.lifecycle import transition
from pantau.state.alerts import AlertRecord


class AlertmanagerAlert(BaseModel):
    status: str
    labels: dict[str, str]
    annotations: dict[str, str] = {}
    startsAt: datetime  # noqa: N815 - Alertmanager's field names
    endsAt: datetime | None = None  # noqa: N815
    fingerprint: str


class AlertmanagerPayload(BaseModel):
    alerts: list[AlertmanagerAlert]


def from_alertmanager(record: AlertRecord | None, alert: AlertmanagerAlert) -> AlertRecord | None:
    firing = alert.status == "firing"
    at = alert.startsAt if firing else (alert.endsAt or datetime.now(UTC))
    evidence: dict[str, Any] = {"annotations": alert.annotations}
    return transition(
        record,
        firing=firing,
        fingerprint=fingerprint_of(alert),
        alertname=alert.labels.get("alertname", "unnamed"),
        source="prometheus",
        summary=alert.annotations.get("summary", alert.labels.get("alertname", "")),
        labels=alert.labels,
        evidence=evidence,
        started_at=alert.startsAt,
        at=at,
    )


def fingerprint_of(alert: AlertmanagerAlert) -> str:
    return f"prometheus:{alert.fingerprint}"
