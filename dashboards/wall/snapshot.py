"""What the wall shows, as one JSON document: the city's figures (the same structure the
Prometheus gauges, `pantau state` and the audit render, so they agree to the digit), the
map's layout, the active incidents and pipeline alerts, the newest complaints, and how
current all that is."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from dashboards.wall.alerts import WallAlert, wall_alerts
from dashboards.wall.freshness import Freshness
from dashboards.wall.tilemap import CityMap, city_map
from pantau.contract.city import CityProfile
from pantau.state.alerts import AlertStore
from pantau.state.compute import city_figures
from pantau.state.figures import CityFigures
from pantau.state.incident_log import IncidentLog
from pantau.state.query import StateQuery


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
    map: CityMap
    alerts: list[WallAlert]
    newest: list[ComplaintLine]
    freshness: Freshness  # the page's banner when the figures are behind (freshness.py)


def wall_figures(query: StateQuery, profile: CityProfile, now: datetime) -> CityFigures:
    """The dimensions with their last day of arrivals up to `now`, and the map's tiles.
    The wall shows no category, kelurahan or agency figures: it does not read them."""
    today = now.astimezone(profile.timezone).date()
    return city_figures(query, profile, today, groups=False, now=now)


def snapshot(
    query: StateQuery,
    alerts: AlertStore,
    incidents: IncidentLog,
    newest: list[ComplaintLine],
    profile: CityProfile,
    freshness: Freshness,
) -> WallSnapshot:
    return WallSnapshot(
        timezone=profile.city.timezone,
        figures=wall_figures(query, profile, query.now()),
        map=city_map(profile),
        alerts=wall_alerts(alerts, incidents, profile),
        newest=newest,
        freshness=freshness,
    )
