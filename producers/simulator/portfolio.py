"""Programs and indicators of the demo city: the 2023 portfolio and indicator series."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from pantau.contract.city import CityProfile
from pantau.contract.dimensions import Dimension
from pantau.contract.events import IndicatorEvent, ProgramEvent, ProgramStatus

PORTFOLIO_FILE = Path(__file__).with_name("portfolio_2023.yaml")
# Stunting prevalence (E-PPBGM) fell from 3.12 % to 2.26 % by September 2023.
STUNTING_SERIES = ("stunting-prevalence", 3.12, 2.26)


def program_events(at: datetime, rng: random.Random) -> list[ProgramEvent]:
    portfolio: dict[str, dict[str, Any]] = yaml.safe_load(PORTFOLIO_FILE.read_text())
    events = []
    for dimension, programs in portfolio.items():
        entries = [(name, ProgramStatus.COMPLETED, 100.0) for name in programs["completed"]]
        entries += [
            (p["name"], ProgramStatus.RUNNING, float(p["realization_pct"]))
            for p in programs.get("running", [])
        ]
        for number, (name, status, realization) in enumerate(entries, start=1):
            events.append(
                ProgramEvent(
                    event_id=f"sim-{rng.getrandbits(64):016x}",
                    occurred_at=at,
                    produced_at=at,
                    source="simulator",
                    program_id=f"{dimension[:3].upper()}-2023-{number:02d}",
                    name=name,
                    dimension=Dimension(dimension),
                    agency=programs["agency"],
                    status=status,
                    realization_pct=realization,
                    year=2023,
                )
            )
    return events


def indicator_events(
    profile: CityProfile, at: datetime, rng: random.Random
) -> list[IndicatorEvent]:
    """Monthly stunting values from January to September 2023, ending at 2.26 %; for
    every other indicator, a 2022 and a 2023 value near its target."""
    events = []
    key, first, last = STUNTING_SERIES
    months = 9
    for month in range(1, months + 1):
        share = (month - 1) / (months - 1)
        # A straight decline with a little seeded noise; the ends are the reported values.
        noise = 0.0 if month in (1, months) else rng.uniform(-0.05, 0.05)
        value = round(first + (last - first) * share + noise, 2)
        events.append(_indicator(profile, key, value, f"2023-{month:02d}", at, rng))
    for indicator in profile.indicators:
        if indicator.key == key:
            continue
        for year, closeness in (("2022", 0.9), ("2023", 0.97)):
            value = round(indicator.target * closeness * rng.uniform(0.98, 1.02), 2)
            events.append(_indicator(profile, indicator.key, value, year, at, rng))
    return events


def _indicator(
    profile: CityProfile, key: str, value: float, period: str, at: datetime, rng: random.Random
) -> IndicatorEvent:
    indicator = profile.indicator_by_key[key]
    occurred = at - timedelta(seconds=1)
    return IndicatorEvent(
        event_id=f"sim-{rng.getrandbits(64):016x}",
        occurred_at=occurred,
        produced_at=occurred,
        source="simulator",
        indicator_id=key,
        name=indicator.name_id,
        dimension=indicator.dimension,
        value=value,
        unit=indicator.unit,
        period=period,
        target=indicator.target,
        direction=indicator.direction,
        data_source=indicator.data_source,
    )
