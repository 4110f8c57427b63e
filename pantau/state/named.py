"""The city's figures as one flat mapping of named figures: what an audit snapshot
records, a replay reproduces and a comparison lists, row by row.

Names follow the structure (pantau/state/figures.py): "city.complaints.open",
"living.programs.realization_pct", "living.headline.on_target",
"indicator.stunting-prevalence.change", "kelurahan.sentanan.complaints.received_today",
"area.sentanan.open", "living.complaints.service.overdue", and each hour of a
dimension's trend by its start in the city's time,
"living.trend.2026-11-27T14:00+07:00.expected".
Every figure of the structure has a name, so proving the mapping proves everything any
renderer shows. Labels and keys are the city profile's, not figures, and have none.
"""

from __future__ import annotations

from pydantic import BaseModel

from pantau.state.figures import ArrivalTrend, CityFigures, ComplaintFigures, Label

Figure = bool | int | float | str | None
Figures = dict[str, Figure]
NOT_FIGURES = frozenset({"key", "label"})
# A section not there yet (a dimension's headline before its first reading; service
# levels and trends when no instant was given) gives no names, rather than one name
# standing for a whole structure.
SECTIONS = frozenset({"headline", "trend", "service", "overdue"})


def named_figures(figures: CityFigures) -> Figures:
    named: Figures = {}
    _leaves("city.complaints", figures.complaints, named)
    _leaves("city.programs", figures.programs, named)
    for dimension in figures.dimensions:
        _leaves(dimension.key, dimension, named)
    for indicator in figures.indicators:
        _leaves(f"indicator.{indicator.key}", indicator, named)
    groups: dict[str, dict[str, ComplaintFigures]] = {
        "category": figures.categories,
        "kelurahan": figures.kelurahan,
        "agency": figures.agencies,
    }
    for group, members in groups.items():
        for key, complaints in members.items():
            _leaves(f"{group}.{key}.complaints", complaints, named)
    for key, area in figures.areas.items():
        _leaves(f"area.{key}", area, named)
    return named


def _leaves(prefix: str, model: BaseModel, named: Figures) -> None:
    for field in type(model).model_fields:
        value = getattr(model, field)
        if field in NOT_FIGURES or isinstance(value, Label):
            continue
        if value is None and field in SECTIONS:
            continue
        name = f"{prefix}.{field}"
        if isinstance(value, ArrivalTrend):
            _trend(name, value, named)
        elif isinstance(value, BaseModel):
            _leaves(name, value, named)
        elif isinstance(value, dict):
            for key, count in value.items():
                named[f"{name}.{key}"] = count
        else:
            named[name] = value


def _trend(prefix: str, trend: ArrivalTrend, named: Figures) -> None:
    # Its end is the caller's instant, not a figure: the snapshot and the report keep it.
    for hour in trend.hours:
        at = f"{prefix}.{hour.start.isoformat(timespec='minutes')}"
        named[f"{at}.arrivals"] = hour.arrivals
        named[f"{at}.expected"] = hour.expected
