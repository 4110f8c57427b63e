"""The detection evaluation's bookkeeping on a small city: where surges land, what
counts as caught and when, and false incidents counted as incidents, not alerts."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import datetime

from bench.arrivals import Surge, calm_arrivals, city_mix, epoch_minute, surge_arrivals
from bench.detection import (
    EvaluationPlan,
    SimulatedCity,
    caught_share,
    evaluate,
    median_minutes,
    place_surges,
    simulate,
)
from pantau.contract.city import load_city_profile
from pantau.contract.dimensions import Dimension
from pantau.detection.baseline import MINUTES_PER_WEEK, Baseline
from pantau.detection.spike import SpikePolicy

PROFILE = load_city_profile("mojokerto")
START = datetime(2026, 1, 5, tzinfo=PROFILE.timezone)
SMALL = EvaluationPlan(1500.0, calm_weeks=1, surges_per_cell=7, history_weeks=1)


def test_surges_fill_every_cell_inside_the_calm_weeks_over_days_hours_and_dimensions() -> None:
    plan = replace(SMALL, calm_weeks=3, surges_per_cell=30)
    placed = place_surges(PROFILE, plan, START, random.Random(1))
    cells = Counter((s.factor, s.minutes) for s in placed)
    assert cells == {(f, m): 30 for f in (2.0, 3.0, 5.0) for m in (60, 180)}
    first = epoch_minute(START) + plan.history_weeks * MINUTES_PER_WEEK
    assert all(first <= s.onset_minute < first + 3 * MINUTES_PER_WEEK for s in placed)
    moments = [datetime.fromtimestamp(s.onset_minute * 60, PROFILE.timezone) for s in placed]
    assert {m.weekday() for m in moments} == set(range(7))
    assert {m.hour for m in moments} == set(range(24))
    assert {s.dimension for s in placed} == set(Dimension)
    assert place_surges(PROFILE, plan, START, random.Random(1)) == placed, "seeded"


def test_a_surge_adds_complaints_only_to_its_dimension_its_categories_and_the_areas() -> None:
    mix = city_mix(PROFILE, 1)
    onset = epoch_minute(START) + 10 * 60
    added = surge_arrivals(mix, Surge(Dimension.LIVING, onset, 180, 5.0), 1500.0,
                           PROFILE.timezone, random.Random(1))  # fmt: skip
    living = {c.key for c in PROFILE.categories if c.dimension is Dimension.LIVING}
    assert {g for g in added if g[0] == "category"} <= {("category", c) for c in living}
    assert {g for g in added if g[0] == "dimension"} == {("dimension", "living")}
    total = sum(added[("dimension", "living")].values())
    assert total == sum(n for g, c in added.items() if g[0] == "kecamatan" for n in c.values())
    assert all(onset <= m < onset + 180 for m in added[("dimension", "living")])


def test_the_evaluation_is_deterministic_for_a_seed_and_reports_every_cell() -> None:
    policy = SpikePolicy()
    first = evaluate(simulate(PROFILE, SMALL, policy), policy)
    again = evaluate(simulate(PROFILE, SMALL, policy), policy)
    assert first == again
    assert len(first.surges) == 6 * SMALL.surges_per_cell
    strong = first.cell(5.0, 180)
    assert caught_share(strong) > 0.5, "a fivefold surge for three hours at 1,500 a day"
    found = [o.minutes_to_detect for o in strong if o.minutes_to_detect is not None]
    assert all(0 <= m <= 180 + SMALL.grace_minutes for m in found)
    assert median_minutes(strong) is not None


def _city_with_one_burst(burst_groups: list[tuple[str, str]]) -> SimulatedCity:
    """A city with calm traffic and, in its calm week, one burst of 40 complaints in
    the given groups in the same five minutes."""
    calm = calm_arrivals(city_mix(PROFILE, 1), START, 3, 150.0, random.Random(4))
    burst = epoch_minute(START) + MINUTES_PER_WEEK + 3 * 24 * 60 + 11 * 60
    for group in burst_groups:
        for minute in range(burst, burst + 5):
            calm[group][minute] += 8
    dimension_of = {
        ("dimension", "living"): "living",
        ("category", "drainase"): "living",
        ("kecamatan", "kranggan"): None,
        ("dimension", "economy"): "economy",
    }
    baselines = {g: Baseline(calm[g]) for g in dimension_of}
    return SimulatedCity(SMALL, START, dimension_of, calm, baselines, [])


def test_a_dimension_its_category_and_an_area_bursting_together_are_one_false_incident() -> None:
    # The calm week has false incidents of its own; the burst adds to them.
    calm = evaluate(_city_with_one_burst([]), SpikePolicy()).false_incidents
    together = [("dimension", "living"), ("category", "drainase"), ("kecamatan", "kranggan")]
    evaluation = evaluate(_city_with_one_burst(together), SpikePolicy())
    assert evaluation.false_incidents == calm + 1
    assert evaluation.false_incidents_per_week == calm + 1, "over one calm week"


def test_bursts_in_two_dimensions_are_two_false_incidents() -> None:
    calm = evaluate(_city_with_one_burst([]), SpikePolicy()).false_incidents
    both = [("dimension", "living"), ("dimension", "economy")]
    assert evaluate(_city_with_one_burst(both), SpikePolicy()).false_incidents == calm + 2
