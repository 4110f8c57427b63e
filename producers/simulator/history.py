"""The demo city's recent past, so the detector's baseline is real from the first minute.

The simulation starts at midnight `days` before today, with a generator per city day
(SimulationConfig.daily) and the 2023 portfolio reported at a fixed moment: whichever day
the demo starts, every event in the window it shares with an earlier start is the same
event under the same id, so seeding again adds nothing (the folds take a repeated event
as the no-op it is). The events before now are the history; the rest is the live feed,
on the real clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time, timedelta

from pantau.contract.city import CityProfile
from pantau.contract.events import AnyEvent
from producers.simulator.feed import SimulationConfig, city_feed
from producers.simulator.rhythm import Spike


def seeded_config(
    now: datetime, days: int, seed: int, complaints_per_day: float, spike: Spike | None
) -> SimulationConfig:
    """The simulation behind a demo started at `now` (city time) with `days` of history;
    `spike` counts its start from now, as an operator means it."""
    start = datetime.combine(now.date() - timedelta(days=days), time(), now.tzinfo)
    moved = replace(spike, start=spike.start + (now - start)) if spike is not None else None
    # The portfolio as reported at the year's close: the same events on every start.
    reported = datetime(2024, 1, 2, 9, tzinfo=now.tzinfo)
    return SimulationConfig(
        start, seed, complaints_per_day, moved, daily=True, portfolio_at=reported
    )


def split_at(
    profile: CityProfile, config: SimulationConfig, now: datetime
) -> tuple[list[AnyEvent], Iterator[AnyEvent]]:
    """The simulation's events before `now`, and an iterator of the rest in time order."""
    events = city_feed(profile, config)
    history: list[AnyEvent] = []
    for event in events:
        if event.occurred_at >= now:
            return history, itertools.chain([event], events)
        history.append(event)
    return history, iter(())
