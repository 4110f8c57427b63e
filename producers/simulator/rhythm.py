"""When complaints arrive: daily and weekly rhythm, and Poisson counts."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from pantau.contract.dimensions import Dimension

# Share of a day's complaints per local hour: quiet nights, a morning peak when offices
# open, a smaller one after evening prayers. Sums to 1.
HOURLY_SHARE = tuple(
    weight / 100
    for weight in (
        0.8, 0.5, 0.4, 0.4, 0.8, 1.8, 3.2, 5.4, 7.6, 8.2, 7.8, 6.6,
        5.2, 5.6, 5.8, 5.4, 4.8, 4.2, 4.6, 5.6, 5.2, 4.0, 2.4, 1.6,
    )
)  # fmt: skip
# Relative weight per weekday, Monday first: Mondays carry the weekend's backlog.
WEEKDAY_WEIGHT = (1.25, 1.1, 1.05, 1.0, 0.95, 0.85, 0.8)


@dataclass(frozen=True)
class Spike:
    """An injected surge of complaints in one dimension, for alert demos."""

    dimension: Dimension
    start: timedelta  # after the simulation starts
    factor: float
    duration: timedelta = timedelta(minutes=30)

    def factor_at(self, dimension: Dimension, elapsed: timedelta) -> float:
        active = dimension == self.dimension and self.start <= elapsed < self.start + self.duration
        return self.factor if active else 1.0


def expected_per_hour(complaints_per_day: float, local_hour: datetime) -> float:
    weekday_mean = sum(WEEKDAY_WEIGHT) / len(WEEKDAY_WEIGHT)
    weekday = WEEKDAY_WEIGHT[local_hour.weekday()] / weekday_mean
    return complaints_per_day * HOURLY_SHARE[local_hour.hour] * weekday


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw; Knuth's product method, split for large means to stay exact."""
    count = 0
    while mean > 30:
        count += poisson(rng, 30)
        mean -= 30
    threshold, product = math.exp(-mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count
