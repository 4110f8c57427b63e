"""A dimension's last day of arrivals per hour and the expectation beside it: the spike
detector's own, to the last bit, from the hourly aggregate the worker keeps."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest

from bench.arrivals import calm_arrivals, city_mix, epoch_minute
from pantau.contract.topics import COMPLAINTS
from pantau.detection.baseline import Baseline
from pantau.detection.spike import policy_for
from pantau.state.compute import city_figures
from pantau.state.figures import ArrivalTrend
from pantau.state.named import named_figures
from pantau.state.trend import TREND_HOURS, arrival_trend
from tests.unit.state.test_folds import PROFILE, REFERENCE, START

ZONE = PROFILE.timezone
POLICY = policy_for(PROFILE).baseline
CALM_START = datetime(2026, 1, 5, tzinfo=ZONE)  # a Monday midnight
# Six weeks at Mojokerto's own rate: most night hours hold nothing.
CALM = calm_arrivals(city_mix(PROFILE, 5), CALM_START, 6, 150.0, random.Random(5))


def _by_hour(minutes: Mapping[int, int]) -> Counter[str]:
    hours: Counter[str] = Counter()
    for minute, count in minutes.items():
        hours[str(minute - minute % 60)] += count
    return hours


def _assert_the_detector_s(trend: ArrivalTrend, minutes: Mapping[int, int]) -> None:
    detector = Baseline(minutes, POLICY)  # what the detector builds from the same arrivals
    last = epoch_minute(trend.until)
    assert len(trend.hours) == TREND_HOURS
    for hour in trend.hours:
        first = epoch_minute(hour.start)
        end = min(first + 59, last)
        assert hour.arrivals == sum(minutes.get(m, 0) for m in range(first, first + 60))
        assert hour.expected == round(detector.expected(end, end - first + 1), 3), hour.start


@pytest.mark.parametrize(
    "after",
    [
        timedelta(hours=3, minutes=20),  # not a day of history: the rate so far
        timedelta(days=2, hours=5),  # days, no week: the hour of the day
        timedelta(days=17, hours=23, minutes=59),  # some weeks
        timedelta(weeks=5, hours=13, minutes=37),  # every week the policy looks back on
    ],
)
def test_the_expectation_is_the_detector_s_for_every_hour(after: timedelta) -> None:
    for group in [("dimension", "living"), ("dimension", "branding")]:
        minutes = CALM[group]
        trend = arrival_trend(_by_hour(minutes), CALM_START + after, ZONE, POLICY)
        _assert_the_detector_s(trend, minutes)


def test_the_hour_under_way_comes_last_and_counts_only_its_minutes_so_far() -> None:
    until = CALM_START + timedelta(weeks=5, hours=13, minutes=37, seconds=30)
    minutes = CALM[("dimension", "living")]
    trend = arrival_trend(_by_hour(minutes), until, ZONE, POLICY)
    hours = [hour.start for hour in trend.hours]
    assert hours[-1] == until.replace(minute=0, second=0)
    assert hours[0] == hours[-1] - timedelta(hours=TREND_HOURS - 1)
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(hours))
    assert all(hour.start.tzinfo == ZONE for hour in trend.hours)
    # 13:00 to 13:37 is 38 minutes of the hour's expectation, not all 60.
    detector = Baseline(minutes, POLICY)
    assert trend.hours[-1].expected == round(detector.expected(epoch_minute(until), 38), 3)
    assert trend.hours[-1].expected < round(detector.expected(epoch_minute(until) + 22, 60), 3)


def test_the_figures_take_the_trend_from_the_worker_s_hourly_aggregate() -> None:
    until = START + timedelta(days=2, hours=9, minutes=5)
    figures = city_figures(REFERENCE, PROFILE, until.date(), now=until)
    for dimension in figures.dimensions:
        minutes = REFERENCE.aggregate(COMPLAINTS.name, f"arrivals:dimension:{dimension.key}")
        assert dimension.trend is not None
        _assert_the_detector_s(dimension.trend, {int(m): n for m, n in minutes.items()})
    assert sum(h.arrivals for d in figures.dimensions if d.trend for h in d.trend.hours) > 0


def test_every_hour_of_every_trend_is_named_by_its_start_in_the_city_s_time() -> None:
    until = START + timedelta(days=2, hours=9, minutes=5)
    figures = city_figures(REFERENCE, PROFILE, until.date(), now=until)
    named = named_figures(figures)
    living = figures.dimension("living").trend
    assert living is not None
    last = living.hours[-1]
    assert named["living.trend.2026-11-25T09:00+07:00.arrivals"] == last.arrivals
    assert named["living.trend.2026-11-25T09:00+07:00.expected"] == last.expected
    trend_names = [name for name in named if ".trend." in name]
    assert len(trend_names) == len(PROFILE.dimensions) * TREND_HOURS * 2
    # Without an instant to end at there is no trend, and no name stands for one.
    assert not any(".trend" in name for name in named_figures(city_figures(
        REFERENCE, PROFILE, until.date())))  # fmt: skip
