"""What the wall shows, as one JSON document: built from the same StateQuery as the
Prometheus gauges, so the page and Grafana agree to the digit."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from pantau.contract.city import CityProfile
from pantau.state.alerts import AlertRecord, AlertStore
from pantau.state.query import StateQuery


class Headline(BaseModel):
    name_id: str
    name_en: str
    unit: str
    value: float
    change: float | None
    target: float | None
    on_target: bool | None
    period: str


class DimensionFigures(BaseModel):
    key: str
    label_id: str
    label_en: str
    open: int
    received_today: int
    resolved_today: int
    realization_pct: float | None
    headline: Headline | None


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
    city: str
    timezone: str  # the page shows times in the city's zone, whatever the TV's setting
    today: str
    dimensions: list[DimensionFigures]
    alerts: list[WallAlert]
    newest: list[ComplaintLine]


def dimension_figures(query: StateQuery) -> list[DimensionFigures]:
    profile = query.profile
    keys = [d.key.value for d in profile.dimensions]
    complaints = query.complaints_of("dimension", keys)
    figures = []
    for dimension in profile.dimensions:
        key = dimension.key.value
        portfolio = query.programs(key)
        figures.append(
            DimensionFigures(
                key=key,
                label_id=dimension.label_id,
                label_en=dimension.label_en,
                open=complaints[key].open,
                received_today=complaints[key].received_today,
                resolved_today=complaints[key].resolved_today,
                realization_pct=portfolio.realization_pct,
                headline=_headline(query, dimension.headline_indicator),
            )
        )
    return figures


def _headline(query: StateQuery, indicator_key: str) -> Headline | None:
    figures = query.indicator(indicator_key)
    if figures is None:
        return None
    declared = next(i for i in query.profile.indicators if i.key == indicator_key)
    return Headline(
        name_id=declared.name_id,
        name_en=declared.name_en,
        unit=figures.unit,
        value=figures.value,
        change=figures.change,
        target=figures.target,
        on_target=figures.on_target,
        period=figures.period,
    )


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
    return WallSnapshot(
        city=profile.city.name,
        timezone=profile.city.timezone,
        today=query.today().isoformat(),
        dimensions=dimension_figures(query),
        alerts=wall_alerts(alerts),
        newest=newest,
    )
