"""The wall's alert column: one line per incident (a surge with its parts) and per
pipeline alert, as an operator across the room needs them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from pantau.contract.city import CityProfile
from pantau.state.alert_text import AlertTexts, alert_texts
from pantau.state.alerts import AlertRecord, AlertStore
from pantau.state.incident_log import IncidentLog
from pantau.state.incident_view import IncidentView, incident_views

Severity = Literal["critical", "warning"]


class WallAlert(BaseModel):
    id: str  # an incident's short id, or a pipeline alert's fingerprint
    kind: Literal["incident", "alert"]
    state: str  # firing (flashes) or acknowledged (steady)
    severity: Severity
    text: AlertTexts  # {"id": ..., "en": ...}: the page shows its own language
    also: list[AlertTexts]  # an incident's other parts, named: "Drainase, Kec. Kranggan"
    dimension: str | None
    started_at: datetime
    acknowledged_by: str | None


def wall_alerts(store: AlertStore, log: IncidentLog, profile: CityProfile) -> list[WallAlert]:
    views = incident_views(log.events(), log.acknowledgements(), profile)
    incidents = [_from_incident(view) for view in views if view.active]
    # A spike alert is shown as a part of its incident, never alone.
    pipeline = [_from_record(r, profile) for r in store.all() if r.source != "stream"]
    return incidents + pipeline


def severity(record: AlertRecord) -> Severity:
    """A Prometheus rule's own severity (a rule without one is a warning)."""
    return "critical" if record.labels.get("severity") == "critical" else "warning"


def _from_incident(view: IncidentView) -> WallAlert:
    headline = view.text
    return WallAlert(
        id=view.short_id,
        kind="incident",
        state=view.state,
        severity=view.severity,
        text=headline,
        also=[p.subject for p in view.parts if p.text != headline],
        dimension=view.dimension,
        started_at=view.started_at,
        acknowledged_by=view.acknowledged_by,
    )


def _from_record(record: AlertRecord, profile: CityProfile) -> WallAlert:
    return WallAlert(
        id=record.fingerprint,
        kind="alert",
        state=record.state.value,
        severity=severity(record),
        text=alert_texts(record, profile),
        also=[],
        dimension=record.labels.get("dimension"),
        started_at=record.started_at,
        acknowledged_by=record.acknowledged_by,
    )
