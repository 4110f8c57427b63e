"""The short-window test's evidence: arrivals in the last minutes against what the
seasonal baseline expected, and how improbable that many is (the Poisson tail)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pantau.detection.baseline import Baseline
from pantau.detection.poisson import point_probability, upper_tail


@dataclass(frozen=True)
class Evidence:
    window_minutes: int
    observed: int
    expected: float
    probability: float  # P(at least `observed` | expected): the lower, the stranger


def evidence(
    arrivals: Mapping[int, int], baseline: Baseline, minute: int, windows: tuple[int, ...]
) -> list[Evidence]:
    return [window_evidence(arrivals, baseline, minute, window) for window in windows]


def window_evidence(
    arrivals: Mapping[int, int], baseline: Baseline, minute: int, window: int
) -> Evidence:
    observed = sum(arrivals.get(m, 0) for m in range(minute - window + 1, minute + 1))
    expected = baseline.expected(minute, window)
    return Evidence(window, observed, round(expected, 4), upper_tail(observed, expected))


def window_counts(arrivals: Mapping[int, int], minute: int, windows: tuple[int, ...]) -> list[int]:
    """Arrivals in each window ending at `minute`, from one pass over the longest."""
    recent = [arrivals.get(m, 0) for m in range(minute, minute - max(windows), -1)]
    return [sum(recent[:window]) for window in windows]


def improbable(observed: int, expected: float, below: float) -> bool:
    # The tail is at least the count's own probability: when that alone is too likely,
    # the tail need not be summed (most minutes of most groups end here).
    if point_probability(observed, expected) >= below:
        return False
    return upper_tail(observed, expected) < below
