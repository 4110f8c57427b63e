"""What the wall shows, as one JSON document: the city's figures (the same structure the
Prometheus gauges, `pantau state` and the audit render, so they agree to the digit), the
active alerts and the newest complaints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from pantau.contract.city import CityProfile
from pantau.state.alerts import AlertRecord, AlertStore
from pantau.state.compute import city_figures
from pantau.state.figures import CityFigures
from pantau.state.query import StateQuery


class WallAlert(BaseModel):
    fingerprint: str
    alertname: str
    state: str  # firing (flashes) or acknowledged (steady)
    summary: str
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


def wall_alerts(store: AlertStore) -> list[WallAlert]:
    return [_wall_alert(record) for record in store.all()]


def _wall_alert(record: AlertRecord) -> WallAlert:
    return WallAlert(
        fingerprint=record.fingerprint,
        alertname=record.alertname,
        state=record.state.value,
        summary=record.summary,
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
        alerts=wall_alerts(alerts),
        newest=newest,
    )
