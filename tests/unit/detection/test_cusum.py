"""The Poisson CUSUM: it adds up evidence over hours, so a doubling too small for any
short window is caught at a low rate, while calm traffic at the city's seasonal rate
leaves it quiet; and its runs survive a restart."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import replace
from datetime import datetime

import pytest

from bench.arrivals import calm_arrivals, city_mix, epoch_minute
from pantau.contract.city import load_city_profile
from pantau.detection.baseline import MINUTES_PER_WEEK, Baseline
from pantau.detection.cusum import CusumPolicy, CusumRun
from pantau.detection.persist import restore_tracker, tracker_state
from pantau.detection.spike import SpikePolicy, SpikeStatus, SpikeTracker, scan
from producers.simulator.rhythm import poisson

PROFILE = load_city_profile("mojokerto")
WEEKS = 4
PER_MINUTE = 0.1  # six complaints an hour: a dimension of a small city in its busy hours


def _flat_then_doubled(hours: int, seed: int = 3) -> dict[int, int]:
    """Four weeks at PER_MINUTE, then `hours` at twice that."""
    rng = random.Random(seed)
    arrivals = {}
    for minute in range(WEEKS * MINUTES_PER_WEEK + hours * 60):
        rate = PER_MINUTE * (2 if minute >= WEEKS * MINUTES_PER_WEEK else 1)
        arrivals[minute] = poisson(rng, rate)
    return arrivals


def test_a_run_adds_the_log_likelihood_ratio_and_never_goes_below_zero() -> None:
    policy = CusumPolicy(shift=2.0, threshold=5.0)
    run = CusumRun().advance(10, 3, 0.5, policy)
    assert run.statistic == pytest.approx(3 * math.log(2) - 0.5)
    assert run.started_minute == 10
    assert run.advance(11, 0, 0.5, policy).started_minute == 10, "the run goes on"
    assert run.advance(11, 0, 5.0, policy) == CusumRun(0.0, 12), "drained: a new run"
    assert run.held_at(1.0) == CusumRun(1.0, 10)


def test_a_sustained_doubling_over_hours_fires_the_cusum_at_a_low_rate() -> None:
    hours = 8
    arrivals = _flat_then_doubled(hours)
    onset = WEEKS * MINUTES_PER_WEEK
    last = onset + hours * 60 - 1
    calm = scan("dimension", "living", arrivals, onset - 6 * 60, onset - 1, SpikePolicy())
    assert calm == [], "quiet before the rise"
    # No window can fire here: whatever fires is the CUSUM.
    cusum_only = SpikePolicy(fire_below=1e-300)
    verdicts = scan("dimension", "living", arrivals, onset - 120, last, cusum_only)
    (firing,) = verdicts
    assert firing.status is SpikeStatus.FIRING and firing.minute >= onset
    # The evidence is the CUSUM's run: hours of arrivals, about twice what was due.
    assert firing.evidence.window_minutes > 60
    assert firing.evidence.observed > 1.5 * firing.evidence.expected


@pytest.mark.parametrize("per_day", [150.0, 1500.0])
def test_calm_traffic_at_the_seasonal_rate_leaves_the_cusum_below_its_threshold(
    per_day: float,
) -> None:
    start = datetime(2026, 1, 5, tzinfo=PROFILE.timezone)
    calm = calm_arrivals(city_mix(PROFILE, 5), start, 8, per_day, random.Random(5))
    policy = SpikePolicy()
    assert policy.cusum is not None
    first = epoch_minute(start) + 4 * MINUTES_PER_WEEK
    for group in [("dimension", "living"), ("kecamatan", "magersari")]:
        arrivals = calm[group]
        tracker, baseline = SpikeTracker(replace(policy, fire_below=1e-300)), Baseline(arrivals)
        highest = 0.0
        for minute in range(first, first + 4 * MINUTES_PER_WEEK):
            assert tracker.step(*group, arrivals, baseline, minute) is None
            highest = max([highest, *(run.statistic for run in tracker.cusum.values())])
        assert 0 < highest < policy.cusum.threshold


def test_the_tracker_state_survives_json_and_a_restart_changes_no_verdict() -> None:
    arrivals = _flat_then_doubled(8)
    baseline = Baseline(arrivals)
    onset = WEEKS * MINUTES_PER_WEEK
    minutes = range(onset - 60, onset + 8 * 60)
    half = minutes[len(minutes) // 2]

    def verdicts(tracker: SpikeTracker, span: range) -> list[object]:
        found = (tracker.step("dimension", "living", arrivals, baseline, m) for m in span)
        return [v for v in found if v is not None]

    straight = verdicts(SpikeTracker(), minutes)
    before = SpikeTracker()
    first_half = verdicts(before, range(minutes.start, half))
    saved = json.loads(json.dumps(tracker_state(before)))
    assert saved["cusum"], "the run under way is saved"
    after = SpikeTracker()
    restore_tracker(after, saved)
    assert (after.active, after.calm_since, after.cusum) == (
        before.active, before.calm_since, before.cusum,
    )  # fmt: skip
    assert first_half + verdicts(after, range(half, minutes.stop)) == straight
    assert straight, "the surge fired, so the comparison covers a firing"


def test_state_saved_before_the_cusum_existed_loads_with_every_run_at_zero() -> None:
    tracker = SpikeTracker()
    restore_tracker(tracker, {"active": {"complaint-spike:dimension:living": 5}, "calm_since": {}})
    assert tracker.active == {"complaint-spike:dimension:living": 5}
    assert tracker.cusum == {}
    assert Counter(tracker_state(tracker)) == Counter(
        {"active": tracker.active, "calm_since": {}, "cusum": {}}
    )
