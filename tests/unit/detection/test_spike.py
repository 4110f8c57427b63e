"""Spike detection on the simulated city: a surge is caught and resolved as one alert,
and a calm week pages nobody."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from pantau.contract.city import load_city_profile
from pantau.contract.dimensions import Dimension
from pantau.detection.baseline import Baseline
from pantau.detection.poisson import upper_tail
from pantau.detection.spike import SpikeStatus, scan
from producers.simulator.feed import SimulationConfig, city_feed
from producers.simulator.rhythm import Spike

PROFILE = load_city_profile("mojokerto")
START = datetime(2026, 10, 5, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday
# A busy city: at Mojokerto's own 150 a day, Smart Living sees about 4 complaints in its
# busiest hour, too few for any test to tell a tripling from chance within minutes.
RATE = 1500.0
SURGE = Spike(Dimension.LIVING, timedelta(days=9, hours=11), 3.0, timedelta(minutes=90))


def _minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


@cache
def _living_arrivals(days: int, spike: Spike | None) -> Counter[int]:
    horizon = START + timedelta(days=days)
    config = SimulationConfig(START, seed=2, complaints_per_day=RATE, spike=spike)
    arrivals: Counter[int] = Counter()
    for event in itertools.takewhile(lambda e: e.occurred_at < horizon, city_feed(PROFILE, config)):
        if event.kind == "complaint" and event.status == "received" and event.dimension == "living":
            arrivals[_minute(event.occurred_at)] += 1
    return arrivals


@pytest.mark.parametrize(("count", "mean"), [(0, 2.0), (1, 0.5), (7, 3.0), (30, 4.0), (3, 40.0)])
def test_the_poisson_tail_matches_its_definition(count: int, mean: float) -> None:
    below = sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count))
    assert upper_tail(count, mean) == pytest.approx(1 - below, rel=1e-9, abs=1e-15)


def test_tiny_tails_keep_their_precision() -> None:
    assert 0 < upper_tail(40, 2.0) < 1e-30
    assert upper_tail(41, 2.0) < upper_tail(40, 2.0)


def test_a_flat_history_gives_its_own_rate() -> None:
    # Two complaints at minute 10 of every hour for four weeks.
    arrivals = {hour * 60 + 10: 2 for hour in range(28 * 24)}
    baseline = Baseline(arrivals)
    now = 28 * 24 * 60 + 30
    assert baseline.expected(now, 60) == pytest.approx(2.0)
    assert baseline.expected(now, 15) == pytest.approx(0.5)


def test_a_threefold_surge_fires_once_and_resolves_after_it_ends() -> None:
    arrivals = _living_arrivals(11, SURGE)
    onset = _minute(START + SURGE.start)
    verdicts = scan("dimension", "living", arrivals, _minute(START + timedelta(days=9)),
                    _minute(START + timedelta(days=11)) - 1)  # fmt: skip
    assert [v.status for v in verdicts] == [SpikeStatus.FIRING, SpikeStatus.RESOLVED]
    firing, resolved = verdicts
    assert 0 <= firing.minute - onset <= 20
    assert firing.evidence.observed > 2 * firing.evidence.expected
    assert firing.evidence.probability < 1e-4
    assert resolved.started_minute == firing.minute
    assert resolved.minute > onset + 90, "resolved only after the surge ended"
    assert resolved.fingerprint == firing.fingerprint == "complaint-spike:dimension:living"


def test_a_calm_week_stays_within_the_false_alert_budget() -> None:
    # The budget is one false alert a week for the whole city; pantau dev evaluate-detection
    # measures it over every group, this checks one group's week stays within it.
    arrivals = _living_arrivals(14, None)
    verdicts = scan("dimension", "living", arrivals, _minute(START + timedelta(days=7)),
                    _minute(START + timedelta(days=14)) - 1)  # fmt: skip
    assert sum(v.status is SpikeStatus.FIRING for v in verdicts) <= 1
