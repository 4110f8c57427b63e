"""The upper tail of the Poisson distribution: how surprising a count is for its mean."""

from __future__ import annotations

import math


def upper_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean), summed term by term from `count` upwards so
    that tiny tails (the ones that page someone) keep their precision."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    term = math.exp(count * math.log(mean) - mean - math.lgamma(count + 1))
    total, k = 0.0, count
    while term > 0 and (k <= mean or term > total * 1e-17):
        total += term
        k += 1
        term *= mean / k
    return min(1.0, total)


def point_probability(count: int, mean: float) -> float:
    """P(X == count) for X ~ Poisson(mean): a lower bound of the upper tail that costs
    one term, enough to rule most counts out before summing the tail."""
    if mean <= 0:
        return 1.0 if count == 0 else 0.0
    return math.exp(count * math.log(mean) - mean - math.lgamma(count + 1))
