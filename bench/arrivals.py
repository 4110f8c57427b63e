"""Complaint arrivals per minute for every watched group, drawn straight from the city
simulator's rates: half a year of them in seconds, where the full simulator builds
every event of every complaint's lifecycle.

The simulator's complaints are a Poisson process whose rate is flat within a local
hour (its daily and weekly rhythm), split over categories and kelurahan by seeded
weights. So are these: a Poisson count per hour, each arrival given a uniform minute,
a category and a kecamatan by the simulator's own weights. A surge is the same process
at (factor - 1) times the rate in its dimension, added on top: the sum of two Poisson
processes is the Poisson process of the surge.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import accumulate

from pantau.contract.city import CityProfile
from pantau.contract.dimensions import Dimension
from producers.simulator.complaints import ComplaintSimulator
from producers.simulator.rhythm import expected_per_hour, poisson

GroupKey = tuple[str, str]  # (group, value), e.g. ("dimension", "living")
Arrivals = dict[GroupKey, Counter[int]]  # epoch minute -> complaints received


@dataclass(frozen=True)
class CityMix:
    """How the simulated city splits its complaints: per category (with its dimension)
    and per kecamatan, the simulator's seeded weights."""

    categories: tuple[tuple[str, Dimension], ...]
    category_weights: tuple[float, ...]
    kecamatan: tuple[str, ...]
    kecamatan_weights: tuple[float, ...]

    def dimension_share(self, dimension: Dimension) -> float:
        return sum(
            w
            for (_, d), w in zip(self.categories, self.category_weights, strict=True)
            if d == dimension
        )


def city_mix(profile: CityProfile, seed: int) -> CityMix:
    simulator = ComplaintSimulator(profile, random.Random(seed), datetime.now(profile.timezone), 1)
    by_kecamatan: dict[str, float] = defaultdict(float)
    for (kecamatan, _), weight in zip(
        simulator.kelurahan, simulator.kelurahan_weights, strict=True
    ):
        by_kecamatan[kecamatan] += weight
    total = sum(by_kecamatan.values())
    return CityMix(
        categories=tuple((c.key, c.dimension) for c in profile.categories),
        category_weights=tuple(simulator.category_weights),
        kecamatan=tuple(by_kecamatan),
        kecamatan_weights=tuple(w / total for w in by_kecamatan.values()),
    )


@dataclass(frozen=True)
class Surge:
    dimension: Dimension
    onset_minute: int  # epoch minute
    minutes: int
    factor: float


def epoch_minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def calm_arrivals(
    mix: CityMix, start: datetime, weeks: int, complaints_per_day: float, rng: random.Random
) -> Arrivals:
    """Ordinary traffic for `weeks` from `start` (a local midnight)."""
    arrivals: Arrivals = defaultdict(Counter)
    for hour in range(weeks * 7 * 24):
        local = start + timedelta(hours=hour)
        mean = expected_per_hour(complaints_per_day, local)
        _scatter(arrivals, mix, epoch_minute(local), 60, poisson(rng, mean), None, rng)
    return arrivals


def surge_arrivals(
    mix: CityMix,
    surge: Surge,
    complaints_per_day: float,
    zone: tzinfo,
    rng: random.Random,
) -> Arrivals:
    """The complaints a surge adds to ordinary traffic, hour piece by hour piece."""
    arrivals: Arrivals = defaultdict(Counter)
    share = mix.dimension_share(surge.dimension)
    minute, end = surge.onset_minute, surge.onset_minute + surge.minutes
    while minute < end:
        until = min(minute - minute % 60 + 60, end)
        local = datetime.fromtimestamp(minute * 60, zone)
        per_minute = expected_per_hour(complaints_per_day, local) / 60
        mean = (surge.factor - 1.0) * share * per_minute * (until - minute)
        _scatter(arrivals, mix, minute, until - minute, poisson(rng, mean), surge.dimension, rng)
        minute = until
    return arrivals


def _scatter(
    arrivals: Arrivals,
    mix: CityMix,
    first_minute: int,
    span: int,
    count: int,
    dimension: Dimension | None,
    rng: random.Random,
) -> None:
    """`count` arrivals at uniform minutes of the span, in categories of `dimension`
    (any, if None) and in kecamatan by their weights."""
    if count == 0:
        return
    categories, weights = mix.categories, mix.category_weights
    if dimension is not None:
        chosen = [(c, w) for c, w in zip(categories, weights, strict=True) if c[1] == dimension]
        categories, weights = tuple(c for c, _ in chosen), tuple(w for _, w in chosen)
    picked = rng.choices(categories, cum_weights=list(accumulate(weights)), k=count)
    areas = rng.choices(mix.kecamatan, cum_weights=list(accumulate(mix.kecamatan_weights)), k=count)
    for (category, in_dimension), kecamatan in zip(picked, areas, strict=True):
        minute = first_minute + rng.randrange(span)
        arrivals[("category", category)][minute] += 1
        arrivals[("dimension", in_dimension.value)][minute] += 1
        arrivals[("kecamatan", kecamatan)][minute] += 1
