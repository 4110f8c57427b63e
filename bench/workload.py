"""The benchmark's fixed workload: the simulator's mix of complaint, program and
indicator events for a seed, written once as JSON lines, and the state it must yield."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime
from pathlib import Path

from pantau.contract.city import CityProfile
from pantau.contract.events import AnyEvent, encode_event, parse_event
from pantau.contract.topics import TOPIC_OF_KIND
from pantau.state.memory import MemoryState
from pantau.state.service_fields import ServiceClock
from producers.simulator.feed import SimulationConfig, city_feed

# A busy city: enough complaints a day that a million events span weeks, not years.
COMPLAINTS_PER_DAY = 20_000
Totals = dict[str, dict[str, Counter[str]]]  # topic -> aggregate suffix -> fields


def write_workload(path: Path, profile: CityProfile, count: int, seed: int) -> Path:
    if path.exists() and sum(1 for _ in path.open()) == count:
        return path  # the same seed and size give the same events: generate once
    start = datetime(2026, 1, 5, tzinfo=profile.timezone)
    config = SimulationConfig(start, seed=seed, complaints_per_day=COMPLAINTS_PER_DAY)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for event in itertools.islice(city_feed(profile, config), count):
            out.write(encode_event(event) + b"\n")
    return path


def expected_totals(path: Path, profile: CityProfile) -> Totals:
    """Every aggregate the workload must produce, summed over partitions: each entity's
    events keep their order in any partitioning, so the sums do not depend on it."""
    state = MemoryState(profile.timezone, ServiceClock.of(profile))
    batch: dict[str, list[AnyEvent]] = {}
    with path.open("rb") as lines:
        for line in lines:
            event = parse_event(line)
            batch.setdefault(TOPIC_OF_KIND[event.kind].name, []).append(event)
            if sum(len(events) for events in batch.values()) >= 10_000:
                _apply(state, batch)
    _apply(state, batch)
    return {topic: dict(aggregates) for (topic, _), aggregates in state.aggregates.items()}


def _apply(state: MemoryState, batch: dict[str, list[AnyEvent]]) -> None:
    for topic, events in batch.items():
        state.apply(topic, 0, events)
    batch.clear()
