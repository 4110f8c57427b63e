"""How well the detector does for the operators who live with it: the share of injected
surges it turns into an incident, how many event-time minutes after onset, and how
many incidents it raises city-wide on ordinary weeks.

Each rate gets one simulated city: `history_weeks` of ordinary traffic for the
baseline, then `calm_weeks` counted for false incidents (every dimension, category and
kecamatan scanned, alerts grouped into incidents as operators see them), then a spare
week so the last surges can run their course. Surges are injected one at a time into
that calm traffic, each scanned on its own from `lead_minutes` before its onset; the
baseline never sees one, as it looks a week and a day back, never at the same day.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast

from bench.arrivals import (
    Arrivals,
    GroupKey,
    Surge,
    calm_arrivals,
    city_mix,
    epoch_minute,
    surge_arrivals,
)
from pantau.contract.alerts import AlertStatus
from pantau.contract.city import CityProfile
from pantau.detection.baseline import MINUTES_PER_WEEK, Baseline
from pantau.detection.incidents import AlertChange, IncidentPolicy, form_incidents
from pantau.detection.spike import SpikePolicy, SpikeTracker, SpikeVerdict

GroupKind = Literal["dimension", "category", "kecamatan"]


@dataclass(frozen=True)
class EvaluationPlan:
    complaints_per_day: float
    calm_weeks: int = 20
    surges_per_cell: int = 30  # per (factor, length)
    factors: tuple[float, ...] = (2.0, 3.0, 5.0)
    lengths_minutes: tuple[int, ...] = (60, 180)
    seed: int = 1
    history_weeks: int = 4
    # A detection may come this long after the surge ends: the evidence is its own.
    grace_minutes: int = 30
    # Each surge's scan starts this long before onset, from a tracker at rest.
    lead_minutes: int = 120


@dataclass(frozen=True)
class SimulatedCity:
    plan: EvaluationPlan
    start: datetime  # a local midnight, Monday
    dimension_of: Mapping[GroupKey, str | None]  # each watched group's dimension
    calm: Arrivals
    baselines: Mapping[GroupKey, Baseline]
    surges: list[tuple[Surge, Arrivals]]  # each with the complaints it adds

    @property
    def calm_minutes(self) -> tuple[int, int]:
        first = epoch_minute(self.start) + self.plan.history_weeks * MINUTES_PER_WEEK
        return first, first + self.plan.calm_weeks * MINUTES_PER_WEEK - 1


@dataclass(frozen=True)
class SurgeOutcome:
    surge: Surge
    minutes_to_detect: int | None  # None: no incident of its dimension in time


@dataclass(frozen=True)
class Evaluation:
    plan: EvaluationPlan
    surges: list[SurgeOutcome]
    false_incidents: int

    @property
    def false_incidents_per_week(self) -> float:
        return self.false_incidents / self.plan.calm_weeks

    def cell(self, factor: float, minutes: int) -> list[SurgeOutcome]:
        return [o for o in self.surges if (o.surge.factor, o.surge.minutes) == (factor, minutes)]


def caught_share(outcomes: list[SurgeOutcome]) -> float:
    return sum(o.minutes_to_detect is not None for o in outcomes) / len(outcomes)


def median_minutes(outcomes: list[SurgeOutcome]) -> float | None:
    found = [o.minutes_to_detect for o in outcomes if o.minutes_to_detect is not None]
    return statistics.median(found) if found else None


def simulate(profile: CityProfile, plan: EvaluationPlan, policy: SpikePolicy) -> SimulatedCity:
    start = datetime(2026, 1, 5, tzinfo=profile.timezone)  # a Monday
    mix = city_mix(profile, plan.seed)
    rng = random.Random(f"{plan.seed}:{plan.complaints_per_day}")
    weeks = plan.history_weeks + plan.calm_weeks + 1
    calm = calm_arrivals(mix, start, weeks, plan.complaints_per_day, rng)
    dimension_of: dict[GroupKey, str | None] = {
        **{("dimension", d.key.value): d.key.value for d in profile.dimensions},
        **{("category", c.key): c.dimension.value for c in profile.categories},
        **{("kecamatan", k.key): None for k in profile.kecamatan},
    }
    baselines = {group: Baseline(calm[group], policy.baseline) for group in dimension_of}
    placed = place_surges(profile, plan, start, random.Random(f"{plan.seed}:surges"))
    surges = [
        (s, surge_arrivals(mix, s, plan.complaints_per_day, profile.timezone, rng)) for s in placed
    ]
    return SimulatedCity(plan, start, dimension_of, calm, baselines, surges)


def place_surges(
    profile: CityProfile, plan: EvaluationPlan, start: datetime, rng: random.Random
) -> list[Surge]:
    """`surges_per_cell` surges of each factor and length, their onsets spread over the
    calm weeks, every weekday, every hour of the day and every dimension in turn."""
    dimensions = [d.key for d in profile.dimensions]
    placed = []
    for cell, (factor, minutes) in enumerate(
        (f, m) for f in plan.factors for m in plan.lengths_minutes
    ):
        hours = list(range(24))
        rng.shuffle(hours)
        for number in range(plan.surges_per_cell):
            week = plan.history_weeks + rng.randrange(plan.calm_weeks)
            onset = start + timedelta(
                weeks=week, days=number % 7, hours=hours[number % 24], minutes=rng.randrange(60)
            )
            dimension = dimensions[(number + cell) % len(dimensions)]
            placed.append(Surge(dimension, epoch_minute(onset), minutes, factor))
    return placed


def evaluate(
    city: SimulatedCity, policy: SpikePolicy, incidents: IncidentPolicy | None = None
) -> Evaluation:
    grouping = incidents or IncidentPolicy()
    outcomes = [
        SurgeOutcome(surge, _minutes_to_detect(city, surge, added, policy, grouping))
        for surge, added in city.surges
    ]
    first, last = city.calm_minutes
    changes = _changes(city, city.calm, city.dimension_of, first, last, policy)
    formed = form_incidents(changes, grouping)
    false_incidents = sum(first <= incident.started_minute <= last for incident in formed)
    return Evaluation(city.plan, outcomes, false_incidents)


def _minutes_to_detect(
    city: SimulatedCity,
    surge: Surge,
    added: Arrivals,
    policy: SpikePolicy,
    grouping: IncidentPolicy,
) -> int | None:
    plan = city.plan
    first = surge.onset_minute - plan.lead_minutes
    deadline = surge.onset_minute + surge.minutes + plan.grace_minutes
    # Only what the surge can move: its dimension, its categories and the kecamatan.
    watched = {
        group: dimension
        for group, dimension in city.dimension_of.items()
        if dimension in (surge.dimension.value, None)
    }
    # The windows look back from the scan's first minute, a firing's evidence up to a day.
    since = first - 24 * 60
    arrivals: dict[GroupKey, Mapping[int, int]] = {
        group: _overlaid(city.calm[group], added.get(group, {}), since, deadline)
        for group in watched
    }
    changes = _changes(city, arrivals, watched, first, deadline, policy)
    detections = [
        part.fired_minute
        for incident in form_incidents(changes, grouping)
        if incident.dimension == surge.dimension.value
        for part in incident.parts
        if part.group != "kecamatan" and surge.onset_minute <= part.fired_minute <= deadline
    ]
    return min(detections) - surge.onset_minute if detections else None


def _overlaid(
    calm: Mapping[int, int], added: Mapping[int, int], first: int, last: int
) -> dict[int, int]:
    return {m: calm.get(m, 0) + added.get(m, 0) for m in range(first, last + 1)}


def _changes(
    city: SimulatedCity,
    arrivals: Mapping[GroupKey, Mapping[int, int]],
    watched: Mapping[GroupKey, str | None],
    first: int,
    last: int,
    policy: SpikePolicy,
) -> list[AlertChange]:
    """Every alert change of the watched groups over [first, last], from a tracker at rest."""
    tracker = SpikeTracker(policy)
    changes = []
    for (group, value), dimension in watched.items():
        counts, baseline = arrivals[(group, value)], city.baselines[(group, value)]
        for minute in range(first, last + 1):
            verdict = tracker.step(group, value, counts, baseline, minute)
            if verdict is not None:
                changes.append(_as_change(verdict, dimension))
    return changes


def _as_change(verdict: SpikeVerdict, dimension: str | None) -> AlertChange:
    group = cast(GroupKind, verdict.group)
    status = AlertStatus(verdict.status.value)
    return AlertChange(verdict.fingerprint, group, verdict.value, dimension, verdict.minute, status)


def outcomes_by_cell(evaluation: Evaluation) -> Iterable[tuple[float, int, list[SurgeOutcome]]]:
    plan = evaluation.plan
    for factor in plan.factors:
        for minutes in plan.lengths_minutes:
            yield factor, minutes, evaluation.cell(factor, minutes)
