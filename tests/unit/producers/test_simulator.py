import itertools
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import typer

from pantau.contract.city import CityProfile, load_city_profile
from pantau.contract.dimensions import Dimension
from pantau.contract.events import (
    AnyEvent,
    ComplaintEvent,
    IndicatorEvent,
    ProgramEvent,
    encode_event,
)
from pantau.contract.topics import COMPLAINTS
from pantau.state.compute import city_figures
from pantau.state.memory import MemoryState
from pantau.state.service_fields import ServiceClock
from producers.cli import parse_spike
from producers.simulator.complaints import agency_pace
from producers.simulator.feed import SimulationConfig, city_feed, paced
from producers.simulator.rhythm import Spike

START = datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday


@pytest.fixture(scope="module")
def profile() -> CityProfile:
    return load_city_profile("mojokerto")


def _until(profile: CityProfile, config: SimulationConfig, days: float) -> list[AnyEvent]:
    horizon = config.start + timedelta(days=days)
    return list(itertools.takewhile(lambda e: e.occurred_at < horizon, city_feed(profile, config)))


def test_the_same_seed_gives_the_same_events(profile: CityProfile) -> None:
    first = [
        encode_event(e)
        for e in itertools.islice(city_feed(profile, SimulationConfig(START, seed=5)), 3000)
    ]
    again = [
        encode_event(e)
        for e in itertools.islice(city_feed(profile, SimulationConfig(START, seed=5)), 3000)
    ]
    other = [
        encode_event(e)
        for e in itertools.islice(city_feed(profile, SimulationConfig(START, seed=6)), 3000)
    ]
    assert first == again
    assert first != other


def test_the_2023_portfolio_reproduces_the_evaluation(profile: CityProfile) -> None:
    programs = [
        e for e in _until(profile, SimulationConfig(START), 0.01) if isinstance(e, ProgramEvent)
    ]
    by_dimension: dict[Dimension, list[ProgramEvent]] = defaultdict(list)
    for program in programs:
        by_dimension[program.dimension].append(program)
    governance = by_dimension[Dimension.GOVERNANCE]
    assert len(governance) == 10 and all(p.status == "completed" for p in governance)
    environment = by_dimension[Dimension.ENVIRONMENT]
    completed = sum(p.status == "completed" for p in environment)
    assert (completed, len(environment)) == (6, 7)
    assert round(100 * completed / len(environment), 2) == 85.71
    for dimension in set(Dimension) - {Dimension.ENVIRONMENT}:
        assert all(p.status == "completed" for p in by_dimension[dimension]), dimension


def test_stunting_falls_from_3_12_to_2_26_percent(profile: CityProfile) -> None:
    events = _until(profile, SimulationConfig(START), 0.01)
    stunting = [
        e
        for e in events
        if isinstance(e, IndicatorEvent) and e.indicator_id == "stunting-prevalence"
    ]
    assert [(e.period, e.value) for e in (stunting[0], stunting[-1])] == [
        ("2023-01", 3.12),
        ("2023-09", 2.26),
    ]


def test_complaints_follow_a_lifecycle_in_event_time_order(profile: CityProfile) -> None:
    events = _until(profile, SimulationConfig(START), 7)
    complaints = [e for e in events if isinstance(e, ComplaintEvent)]
    assert [e.occurred_at for e in complaints] == sorted(e.occurred_at for e in complaints)
    for event in events:
        profile.check(event)
    lifecycles: dict[str, list[str]] = defaultdict(list)
    for complaint in complaints:
        lifecycles[complaint.complaint_id].append(complaint.status.value)
    assert all(statuses[0] == "received" for statuses in lifecycles.values())
    endings = Counter(statuses[-1] for statuses in lifecycles.values())
    assert endings["resolved"] > endings["rejected"] > 0
    received = Counter(c.occurred_at.hour for c in complaints if c.status == "received")
    assert received[9] > 4 * received[3], "mornings are busier than the small hours"
    assert 900 < len(lifecycles) < 1200, "about 150 complaints a day for a week"


def test_a_spike_multiplies_arrivals_in_its_dimension_and_window(profile: CityProfile) -> None:
    spike = Spike(
        Dimension.LIVING, start=timedelta(hours=8), factor=4.0, duration=timedelta(hours=2)
    )

    def living_arrivals(config: SimulationConfig) -> int:
        window = (START + spike.start, START + spike.start + spike.duration)
        return sum(
            isinstance(e, ComplaintEvent) and e.status == "received" and e.dimension == "living"
            and window[0] <= e.occurred_at < window[1]
            for e in _until(profile, config, 0.5)
        )  # fmt: skip

    calm = sum(living_arrivals(SimulationConfig(START, seed=s)) for s in range(5))
    surged = sum(living_arrivals(SimulationConfig(START, seed=s, spike=spike)) for s in range(5))
    assert surged > 2.5 * calm > 0


def test_pacing_releases_events_at_simulated_time_over_speedup(profile: CityProfile) -> None:
    events = list(itertools.islice(city_feed(profile, SimulationConfig(START)), 300))
    now = [0.0]
    released: list[tuple[float, AnyEvent]] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    for event in paced(iter(events), START, speedup=1440, clock=lambda: now[0], sleep=sleep):
        released.append((now[0], event))
    for at, event in released:
        expected = max((event.occurred_at - START).total_seconds(), 0) / 1440
        assert at == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("food:10:2", "'food' is not a valid Dimension"),
        ("living:10", "expected DIMENSION:START_MINUTES:FACTOR"),
        ("living:ten:2", "could not convert string to float"),
        ("living:10:0", "factor and minutes > 0"),
    ],
)
def test_bad_spike_options_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(typer.BadParameter, match=message):
        parse_spike(text)


def test_a_spike_option_reads_its_parts() -> None:
    assert parse_spike("living:90:4:45") == Spike(
        Dimension.LIVING, timedelta(minutes=90), 4.0, timedelta(minutes=45)
    )


def test_complaints_carry_the_profile_prefix_and_land_around_its_centre(
    profile: CityProfile,
) -> None:
    centre = profile.city.centre.model_copy(update={"lat": -7.25, "lon": 112.75})
    city = profile.city.model_copy(update={"complaint_prefix": "SBY", "centre": centre})
    elsewhere = profile.model_copy(update={"city": city})
    events = itertools.islice(city_feed(elsewhere, SimulationConfig(START, seed=5)), 400)
    complaints = [e for e in events if isinstance(e, ComplaintEvent)]
    assert complaints
    assert all(c.complaint_id.startswith("SBY-") for c in complaints)
    assert all(abs(c.lat - -7.25) < 0.02 and abs(c.lon - 112.75) < 0.02 for c in complaints
               if c.lat is not None and c.lon is not None)  # fmt: skip


def test_most_complaints_meet_their_deadlines_and_some_agencies_lag() -> None:
    # What the demo's league table shows: not all 100 %, not all late.
    profile = load_city_profile("mojokerto")
    start = datetime(2026, 10, 20, tzinfo=profile.timezone)
    now = start + timedelta(days=35)
    feed = city_feed(profile, SimulationConfig(start, seed=7, complaints_per_day=150))
    complaints = [e for e in itertools.takewhile(lambda e: e.occurred_at < now, feed)
                  if e.kind == "complaint"]  # fmt: skip
    state = MemoryState(profile.timezone, ServiceClock.of(profile))
    state.apply(COMPLAINTS.name, 0, complaints)
    figures = city_figures(state, profile, now.date(), now=now)
    city = figures.complaints.service
    assert city is not None and city.on_time_pct_30d is not None
    assert 75 <= city.on_time_pct_30d <= 95 and city.overdue > 0
    rates = [rate for a in figures.agencies.values()
             if a.service is not None and a.service.closed_30d >= 50
             and (rate := a.service.on_time_pct_30d) is not None]  # fmt: skip
    assert max(rates) == 100.0 and min(rates) < 80
    assert agency_pace("dlh") > agency_pace("dispendukcapil")
