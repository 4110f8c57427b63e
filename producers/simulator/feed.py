"""The demo city's whole feed: the program portfolio and indicators first, then an
endless stream of complaints; and pacing that stream against the wall clock."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from pantau.contract.city import CityProfile
from pantau.contract.events import AnyEvent
from producers.simulator.complaints import ComplaintSimulator
from producers.simulator.portfolio import indicator_events, program_events
from producers.simulator.rhythm import Spike


@dataclass(frozen=True)
class SimulationConfig:
    start: datetime
    seed: int = 2023
    complaints_per_day: float = 150.0
    spike: Spike | None = None
    # A generator per city day (see ComplaintSimulator._start_day): what the demo's seeded
    # history needs to add nothing twice.
    daily: bool = False
    # When the portfolio's events say they were reported (default: the start).
    portfolio_at: datetime | None = None


def city_feed(profile: CityProfile, config: SimulationConfig) -> Iterator[AnyEvent]:
    """Every event of the simulation, deterministic for a seed."""
    rng = random.Random(config.seed)
    reported = config.portfolio_at or config.start
    yield from program_events(reported, rng)
    yield from indicator_events(profile, reported, rng)
    simulator = ComplaintSimulator(
        profile,
        rng,
        config.start,
        config.complaints_per_day,
        config.spike,
        f"{config.seed:x}",
        daily=config.daily,
    )
    yield from simulator.events()


def paced(
    events: Iterator[AnyEvent],
    sim_start: datetime,
    speedup: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> Iterator[AnyEvent]:
    """Release each event when the wall clock reaches its simulated time / speedup.

    Events from before the simulation's start (the 2023 portfolio) go out at once.
    """
    wall_start = clock()
    for event in events:
        elapsed = max(event.occurred_at - sim_start, timedelta(0))
        due = wall_start + elapsed.total_seconds() / speedup
        delay = due - clock()
        if delay > 0:
            sleep(delay)
        yield event
