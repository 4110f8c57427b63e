"""The expected arrival rate at a moment: the same hour of the week in earlier weeks,
smoothed over the neighbouring hours, and pulled towards the group's recent rate for
that hour of the day while weekly history is short."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


@dataclass(frozen=True)
class BaselinePolicy:
    history_weeks: int = 4
    # Weights of the hour before, the hour itself and the hour after.
    neighbour_weights: tuple[float, float, float] = (1.0, 2.0, 1.0)
    # Pseudo-observations (weighted hours) of the daily-profile rate: the prior that
    # carries the estimate until weeks of history exist.
    prior_hours: float = 8.0
    history_days: int = 14


class Baseline:
    """Expected arrivals per minute for one group, computed once per hour and cached.

    `arrivals` maps epoch minutes to counts and must not change while in use; a live
    detector builds a new Baseline from each fresh read.
    """

    def __init__(self, arrivals: Mapping[int, int], policy: BaselinePolicy | None = None) -> None:
        self.policy = policy or BaselinePolicy()
        self._hours: dict[int, int] = {}
        for minute, count in arrivals.items():
            hour = minute - minute % MINUTES_PER_HOUR
            self._hours[hour] = self._hours.get(hour, 0) + count
        self._first_hour = min(self._hours, default=0)
        self._rate = lru_cache(maxsize=8192)(self._rate_per_minute)

    def expected(self, end_minute: int, window: int) -> float:
        """Expected arrivals in the `window` minutes ending with `end_minute`."""
        # The rate is flat within an hour: one term per hour the window touches.
        total, minute = 0.0, end_minute - window + 1
        while minute <= end_minute:
            hour = minute - minute % MINUTES_PER_HOUR
            until = min(hour + MINUTES_PER_HOUR, end_minute + 1)
            total += self._rate(hour) * (until - minute)
            minute = until
        return total

    def _rate_per_minute(self, hour_start: int) -> float:
        policy = self.policy
        weighted = minutes = 0.0
        for week in range(1, policy.history_weeks + 1):
            for offset, weight in zip((-1, 0, 1), policy.neighbour_weights, strict=True):
                start = hour_start - week * MINUTES_PER_WEEK + offset * MINUTES_PER_HOUR
                if start < self._first_hour:
                    continue  # before this group's history began: no evidence either way
                weighted += weight * self._hours.get(start, 0)
                minutes += weight * MINUTES_PER_HOUR
        prior_minutes = policy.prior_hours * MINUTES_PER_HOUR
        prior = self._daily_profile_rate(hour_start)
        return (weighted + prior * prior_minutes) / (minutes + prior_minutes)

    def _daily_profile_rate(self, hour_start: int) -> float:
        """The mean rate at this hour of the day over the days before (any weekday)."""
        counts = days = 0
        for day in range(1, self.policy.history_days + 1):
            start = hour_start - day * MINUTES_PER_DAY
            if start < self._first_hour:
                break
            counts += self._hours.get(start, 0)
            days += 1
        if days > 0:
            return counts / (days * MINUTES_PER_HOUR)
        # Not a day of history yet: the mean rate so far, and at least one an hour, so
        # the first complaints never look like a surge against zero.
        span = hour_start - self._first_hour
        so_far = sum(n for hour, n in self._hours.items() if hour < hour_start)
        return max(so_far / span if span > 0 else 0.0, 1.0 / MINUTES_PER_HOUR)
