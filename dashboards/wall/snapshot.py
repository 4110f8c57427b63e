"""What the wall shows, as one JSON document: the city's figures (the same structure the
Prometheus gauges, `pantau state` and the audit render, so they agree to the digit), the
active alerts and the newest complaints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from pantau.contract.city import CityProfile
from pantau.state.alert_text import AlertTexts, alert_texts
from pantau.state.alerts import AlertRecord, AlertStore
from pantau.state.compute import city_figures
from pantau.state.figures import CityFigures
from pantau.state.query import StateQuery

Severity = Literal["critical", "warning"]


class WallAlert(BaseModel):
    fingerprint: str
    alertname: str
    state: str  # firing (flashes) or acknowledged (steady)
    severity: Severity
    text: AlertTexts  # {"id": ..., "en": ...}: the page shows its own language
    dimension: str | None
    started_at: datetime
    acknowledged_by: str | None


class ComplaintLine(BaseModel):
    """A complaint as the wall lists it: what, where, which agency; never who or why."""

    complaint_id: str
    status: str
    category_id: str
    category_en: str
    dimension: str
    agency: str
    kelurahan: str
    occurred_at: datetime


class WallSnapshot(BaseModel):
    timezone: str  # the page shows times in the city's zone, whatever the TV's setting
    figures: CityFigures
    alerts: list[WallAlert]
    newest: list[ComplaintLine]


def wall_alerts(store: AlertStore, profile: CityProfile) -> list[WallAlert]:
    return [_wall_alert(record, profile) for record in store.all()]


def severity(record: AlertRecord) -> Severity:
    """A Prometheus rule's own severity; a spike is critical when a whole dimension
    surges and a warning when one category or area does."""
    rule_severity = record.labels.get("severity")
    if rule_severity == "critical":
        return "critical"
    if rule_severity == "warning":
        return "warning"
    return "critical" if record.labels.get("group") == "dimension" else "warning"


def _wall_alert(record: AlertRecord, profile: CityProfile) -> WallAlert:
    return WallAlert(
        fingerprint=record.fingerprint,
        alertname=record.alertname,
        state=record.state.value,
        severity=severity(record),
        text=alert_texts(record, profile),
        dimension=record.labels.get("dimension"),
        started_at=record.started_at,
        acknowledged_by=record.acknowledged_by,
    )


def snapshot(
    query: StateQuery, alerts: AlertStore, newest: list[ComplaintLine], profile: CityProfile
) -> WallSnapshot:
    # The wall shows no category, kelurahan or agency figures: it does not read them.
    figures = city_figures(query, profile, query.today(), groups=False)
    return WallSnapshot(
        timezone=profile.city.timezone,
        figures=figures,
        alerts=wall_alerts(alerts, profile),
        newest=newest,
    )
