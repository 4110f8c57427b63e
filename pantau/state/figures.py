"""What the city's figures are: one typed structure, per dimension and for the city.

The wall page, `pantau state`, the Prometheus collector, an audit snapshot and an audit
replay all render this one structure (built by pantau/state/compute.py), so a number
cannot mean one thing on the wall and another in Grafana or in the audit's report.
Labels (a dimension's or an indicator's name in each language) come from the city
profile and ride along for the renderers; they are not figures and no audit compares them.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Label(_Frozen):
    """A name in Indonesian and English, from the city profile."""

    id: str
    en: str


class ServiceFigures(_Frozen):
    """One group's complaints against their service-level deadlines, judged at an instant
    (pantau/state/service_fields.py says what each counts)."""

    overdue: int  # open complaints with a deadline passed and its stage not done
    due_24h: int  # open complaints whose earliest deadline falls within the next 24 hours
    breached_today: int  # deadlines that fell due today and were missed (a complaint once)
    closed_30d: int  # resolutions (resolved or rejected) in the last 30 days
    on_time_30d: int  # of those, met within the deadline
    on_time_pct_30d: float | None
    uncovered: int  # open complaints with a deadline beyond the working calendar's years
    # How long each stage took, the median of those met in the last 30 days (the upper
    # bound of its bucket, in seconds, as the times to resolution's p90).
    forwarding_median_30d_s: float | None
    first_action_median_30d_s: float | None
    resolution_median_30d_s: float | None


class ComplaintFigures(_Frozen):
    """One group's complaints (the city, a dimension, an agency, a category, a kelurahan).
    "Today" is the city's local day; times to resolution are in seconds. `service` is
    there when the caller gave the instant deadlines are judged at."""

    open: int
    received_total: int  # since the log began: a counter Prometheus can rate()
    received_today: int
    resolved_today: int
    rejected_today: int
    ttr_mean_today_s: float | None
    ttr_p90_today_s: float | None
    ttr_mean_30d_s: float | None
    ttr_p90_30d_s: float | None
    service: ServiceFigures | None = None


class ProgramFigures(_Frozen):
    """A dimension's program portfolio of its latest year."""

    year: int | None
    planned: int  # every program of the year but the cancelled ones
    completed: int
    by_status: dict[str, int]
    realization_pct: float | None  # completed of planned
    mean_realization_pct: float | None


class CityPrograms(_Frozen):
    """Every dimension's portfolio together."""

    planned: int
    completed: int
    realization_pct: float | None


class IndicatorFigures(_Frozen):
    """An indicator's latest reading, the change from the period before, and how it
    stands against its target for its direction (lower or higher is better)."""

    key: str
    label: Label
    unit: str
    period: str
    value: float
    previous: float | None
    change: float | None
    target: float | None
    distance_to_target: float | None
    on_target: bool | None


class ArrivalHour(_Frozen):
    """One hour of a dimension's complaint arrivals, against what the spike detector's
    seasonal baseline expected in it (pantau/detection/baseline.py, the city's policy)."""

    start: datetime  # in the city's time
    arrivals: int
    expected: float  # rounded to 3 decimals


class ArrivalTrend(_Frozen):
    """A dimension's last day of arrivals, hour by hour, up to `until`: the hour under way
    comes last, and both its arrivals and its expectation count only to `until`, so a
    surge shows against its baseline before the hour is out."""

    until: datetime
    hours: list[ArrivalHour]  # oldest first


class DimensionFigures(_Frozen):
    key: str
    label: Label
    complaints: ComplaintFigures
    programs: ProgramFigures
    headline: IndicatorFigures | None  # None until its headline indicator has a reading
    trend: ArrivalTrend | None = None  # only when the caller gave an instant to end it at


class AreaFigures(_Frozen):
    """What a kelurahan's tile on the wall's map shows. Its own small section, read on its
    own (the wall does not read the kelurahan's full figures). `overdue` is there when the
    caller gave the instant deadlines are judged at."""

    open: int
    overdue: int | None = None


class CityFigures(_Frozen):
    """Everything the wall, Grafana and `pantau state` show, as of the city's `today`.

    `categories`, `kelurahan` and `agencies` (the "what", "where" and "who" rankings) are
    empty when the caller asked for the dimensions only (the wall page does); `areas`
    (the wall's map) when it asked for no map."""

    city: str
    today: date
    complaints: ComplaintFigures
    programs: CityPrograms
    dimensions: list[DimensionFigures]
    indicators: list[IndicatorFigures]  # every indicator with a reading, profile order
    categories: dict[str, ComplaintFigures]
    kelurahan: dict[str, ComplaintFigures]
    agencies: dict[str, ComplaintFigures]
    areas: dict[str, AreaFigures]  # kelurahan key -> its tile's figures, profile order

    def dimension(self, key: str) -> DimensionFigures:
        return next(d for d in self.dimensions if d.key == key)
