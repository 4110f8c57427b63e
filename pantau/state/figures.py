"""Every figure the wall shows, as one flat mapping: what an audit replay reproduces, a
snapshot records and a comparison lists. The same pure functions read the live state in
Redis, a rebuild in memory and a saved snapshot, through the StateView protocol."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Protocol

from pantau.contract.city import CityProfile
from pantau.contract.topics import COMPLAINTS, PROGRAMS, TopicSpec
from pantau.state.query import complaint_figures, indicator_figures, program_figures
from pantau.state.records import IndicatorRecord

Figure = int | float | str | None
Figures = dict[str, Figure]


class StateView(Protocol):
    def summed(self, topic: TopicSpec, suffixes: list[str]) -> dict[str, Counter[str]]:
        """Each aggregate summed over the topic's partitions."""
        ...

    def indicator_record(self, indicator_id: str) -> IndicatorRecord | None: ...


def wall_figures(view: StateView, profile: CityProfile, today: date) -> Figures:
    """Named like "living.complaints.open", "city.programs.realization_pct",
    "indicator.stunting-prevalence.value"; None where the wall shows a dash."""
    figures: Figures = {}
    scopes = {"city": "complaints:city:all"} | {
        d.key.value: f"complaints:dimension:{d.key.value}" for d in profile.dimensions
    }
    complaints = view.summed(COMPLAINTS, list(scopes.values()))
    for scope, suffix in scopes.items():
        c = complaint_figures(complaints[suffix], today)
        for name, value in (("open", c.open), ("received_today", c.received_today),
                            ("resolved_today", c.resolved_today),
                            ("rejected_today", c.rejected_today),
                            ("received_total", c.received_total),
                            ("ttr_mean_30d_s", c.ttr_mean_30d_s),
                            ("ttr_p90_30d_s", c.ttr_p90_30d_s)):  # fmt: skip
            figures[f"{scope}.complaints.{name}"] = value
    suffixes = [f"programs:dimension:{d.key.value}" for d in profile.dimensions]
    portfolios = view.summed(PROGRAMS, suffixes)
    planned = completed = 0
    for dimension, suffix in zip(profile.dimensions, suffixes, strict=True):
        p = program_figures(portfolios[suffix])
        scope = f"{dimension.key.value}.programs"
        figures[f"{scope}.year"] = p.year
        figures[f"{scope}.planned"] = p.planned
        figures[f"{scope}.completed"] = p.completed
        figures[f"{scope}.realization_pct"] = p.realization_pct
        figures[f"{scope}.mean_realization_pct"] = p.mean_realization_pct
        planned, completed = planned + p.planned, completed + p.completed
    figures["city.programs.planned"] = planned
    figures["city.programs.completed"] = completed
    figures["city.programs.realization_pct"] = (
        round(100 * completed / planned, 2) if planned else None
    )
    for indicator in profile.indicators:
        record = view.indicator_record(indicator.key)
        reading = indicator_figures(record) if record is not None and record.readings else None
        figures[f"indicator.{indicator.key}.value"] = reading.value if reading else None
        figures[f"indicator.{indicator.key}.period"] = reading.period if reading else None
    return figures
