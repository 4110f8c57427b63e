"""A Poisson CUSUM: evidence that accumulates over hours, for surges too slow or too
small for any short window to tell from chance.

Each minute adds the log-likelihood ratio of "arrivals run at `shift` times the
baseline" against "they run at the baseline":

    S(t) = max(0, S(t-1) + x(t) * ln(shift) - (shift - 1) * expected(t))

A complaint pushes S up by ln(shift); every quiet minute drains it by what the
alternative would have expected more than the baseline. S crosses `threshold` when the
arrivals since S last stood at zero are `threshold` nats (a factor e^threshold) more
likely under the surge than under the baseline: Page's CUSUM, the quickest detector of
a shift of that size for a given false alarm rate. The expected count varies minute by
minute with the seasonal baseline, which the increment allows for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CusumPolicy:
    # The surge the statistic is tuned to: twice the baseline, the smallest surge an
    # operator must hear about; larger ones cross the threshold sooner still.
    shift: float = 2.0
    # Nats of evidence that page someone, chosen with `pantau dev evaluate-detection` (20
    # calm weeks). A CUSUM's false alarms come per complaint, not per minute, so the
    # busier city decides: at 1,500 a day with the windows, 9.5 gave 1.10 false
    # incidents a week, 11 gave 0.40 and 10 gives 0.75, the lowest with room for chance
    # under the budget of one. At 150 a day the same threshold costs 0.15 a week.
    threshold: float = 10.0
    # While an alert is active the statistic is held at the threshold, so a long surge
    # does not leave a store of evidence that takes hours to drain; the alert may resolve
    # only once the minutes since favour the baseline by this many nats.
    resolve_margin: float = 2.0

    @property
    def log_shift(self) -> float:
        return math.log(self.shift)


@dataclass(frozen=True, slots=True)
class CusumRun:
    """One group's statistic and the first minute of the run that built it (where it
    last rose from zero): the span the evidence for a firing is taken over."""

    statistic: float = 0.0
    started_minute: int = 0

    def advance(self, minute: int, observed: int, expected: float, policy: CusumPolicy) -> CusumRun:
        """The run after `observed` arrivals in `minute`, where `expected` were due."""
        increment = observed * policy.log_shift - (policy.shift - 1.0) * expected
        statistic = self.statistic + increment
        if statistic <= 0.0:
            return CusumRun(0.0, minute + 1)
        return CusumRun(statistic, self.started_minute if self.statistic > 0.0 else minute)

    def held_at(self, ceiling: float) -> CusumRun:
        return self if self.statistic <= ceiling else CusumRun(ceiling, self.started_minute)

    def to_json(self) -> list[float | int]:
        return [self.statistic, self.started_minute]

    @classmethod
    def from_json(cls, saved: list[float | int]) -> CusumRun:
        statistic, started = saved
        return cls(float(statistic), int(started))
