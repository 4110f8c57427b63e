"""How well the detector does on the simulated city: injected surges of several sizes
(caught? how many event-time minutes after onset?) and false alerts on calm weeks."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from pantau.contract.city import CityProfile
from pantau.contract.dimensions import Dimension
from pantau.detection.spike import SpikePolicy, SpikeStatus, policy_for, scan
from producers.simulator.feed import SimulationConfig, city_feed
from producers.simulator.rhythm import Spike

GroupKey = tuple[str, str]


@dataclass(frozen=True)
class SurgeOutcome:
    factor: float
    onset: datetime
    detected: bool
    minutes_to_detect: int | None


@dataclass(frozen=True)
class Evaluation:
    complaints_per_day: float
    surges: list[SurgeOutcome]
    calm_weeks: float
    false_alerts: int

    @property
    def false_alerts_per_week(self) -> float:
        return self.false_alerts / self.calm_weeks


def _minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def arrivals_by_group(
    profile: CityProfile, config: SimulationConfig, days: float
) -> dict[GroupKey, Counter[int]]:
    horizon = config.start + timedelta(days=days)
    groups: dict[GroupKey, Counter[int]] = defaultdict(Counter)
    for event in itertools.takewhile(lambda e: e.occurred_at < horizon, city_feed(profile, config)):
        if event.kind != "complaint" or event.status != "received":
            continue
        minute = _minute(event.occurred_at)
        for group, value in (("dimension", event.dimension.value), ("category", event.category),
                             ("kecamatan", event.kecamatan)):  # fmt: skip
            groups[(group, value)][minute] += 1
    return groups


def evaluate(
    profile: CityProfile,
    start: datetime,
    complaints_per_day: float,
    factors: tuple[float, ...] = (2.0, 3.0, 5.0),
    calm_days: int = 21,
    warmup_days: int = 7,
    seed: int = 1,
    policy: SpikePolicy | None = None,
) -> Evaluation:
    """Surges in Smart Living at 10:00 on a weekday, one simulation each; then every
    dimension, category and kecamatan over `calm_days` of ordinary traffic."""
    chosen = policy or policy_for(profile)
    surges = []
    for number, factor in enumerate(factors):
        onset = timedelta(days=warmup_days + 1 + number % 4, hours=10)
        spike = Spike(Dimension.LIVING, onset, factor, timedelta(minutes=60))
        config = SimulationConfig(start, seed + number, complaints_per_day, spike)
        arrivals = arrivals_by_group(profile, config, onset.days + 1)[("dimension", "living")]
        first = _minute(start + onset) - 60
        verdicts = scan("dimension", "living", arrivals, first, first + 3 * 60, chosen)
        firing = [v for v in verdicts if v.status is SpikeStatus.FIRING]
        at = firing[0].minute - _minute(start + onset) if firing else None
        caught = at is not None and at >= 0
        surges.append(SurgeOutcome(factor, start + onset, caught, at if caught else None))
    calm = arrivals_by_group(profile, SimulationConfig(start, seed), warmup_days + calm_days)
    first, last = (
        _minute(start + timedelta(days=warmup_days)),
        _minute(start + timedelta(days=warmup_days + calm_days)) - 1,
    )
    false_alerts = sum(
        sum(v.status is SpikeStatus.FIRING for v in scan(g, v, arrivals, first, last, chosen))
        for (g, v), arrivals in calm.items()
    )
    return Evaluation(complaints_per_day, surges, calm_days / 7, false_alerts)
