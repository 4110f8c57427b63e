"""The folds behind every live figure: order, batching and duplicates do not matter."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.contract.city import load_city_profile
from pantau.contract.events import AnyEvent, ComplaintEvent, event_from_mapping
from pantau.contract.topics import COMPLAINTS, INDICATORS, PROGRAMS, Partition
from pantau.state.codec import decode_record, encode_record
from pantau.state.compute import complaint_figures, indicator_figures, program_figures
from pantau.state.contributions import _difference, contribution, delta, sums
from pantau.state.figures import Label
from pantau.state.memory import MemoryState
from pantau.state.records import IndicatorRecord, Record, apply_event
from pantau.state.service_fields import ServiceClock
from producers.simulator.feed import SimulationConfig, city_feed
from tests.factories import complaint_document

ZONE = ZoneInfo("Asia/Jakarta")
PROFILE = load_city_profile("mojokerto")
START = datetime(2026, 11, 23, tzinfo=ZONE)
FEED: list[AnyEvent] = list(itertools.islice(city_feed(PROFILE, SimulationConfig(START)), 1500))
COMPLAINT_EVENTS = [e for e in FEED if isinstance(e, ComplaintEvent)]
TOPIC_OF = {"complaint": COMPLAINTS.name, "program": PROGRAMS.name, "indicator": INDICATORS.name}


SERVICE = ServiceClock.of(PROFILE)  # the service levels' fields are folded too


def _state(batches: list[list[AnyEvent]]) -> MemoryState:
    state = MemoryState(ZONE, SERVICE)
    for batch in batches:
        # One shard per kind is enough here: partitioning is exercised with the real broker.
        for kind, topic in TOPIC_OF.items():
            state.apply(topic, 0, [e for e in batch if e.kind == kind])
    return state


REFERENCE = _state([FEED])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.lists(st.integers(1, 400), min_size=1, max_size=8))
def test_any_order_batching_and_duplication_gives_the_same_state(
    seed: int, cuts: list[int]
) -> None:
    events = FEED + FEED[::7]  # every seventh event delivered twice
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    batches, position = [], 0
    for size in cuts * 20:
        if position >= len(shuffled):
            break
        batches.append(shuffled[position : position + size])
        position += size
    batches.append(shuffled[position:])
    state = _state(batches)
    assert state.records == REFERENCE.records
    assert state.aggregates == REFERENCE.aggregates


def test_summing_the_final_records_gives_the_running_aggregates() -> None:
    # How the audit replay reaches the aggregates: by definition, not change by change.
    assert REFERENCE.aggregates, "the feed must produce aggregates to compare"
    assert any(suffix.startswith("service:") for part in REFERENCE.aggregates.values()
               for suffix in part), "the feed must produce service levels to compare"  # fmt: skip
    for shard, records in REFERENCE.records.items():
        summed = sums(records.values(), ZONE, SERVICE)
        assert summed == {k: dict(v) for k, v in REFERENCE.aggregates.get(shard, {}).items()}


def _complaint(status: str, at: datetime, event_id: str) -> ComplaintEvent:
    event = event_from_mapping(
        complaint_document(
            event_id=event_id, status=status, occurred_at=at.isoformat(), complaint_id="C-1"
        )
    )
    assert isinstance(event, ComplaintEvent)
    return event


def test_a_resolution_before_its_received_still_counts_right() -> None:
    received_at = datetime(2026, 11, 27, 9, 0, tzinfo=ZONE)
    resolved_at = received_at + timedelta(hours=5)
    state = MemoryState(ZONE, None)
    state.apply(COMPLAINTS.name, 0, [_complaint("resolved", resolved_at, "e2")])
    half = complaint_figures(state.aggregate(COMPLAINTS.name, "complaints:dimension:living"),
                             received_at.date())  # fmt: skip
    assert (half.open, half.resolved_today, half.ttr_mean_today_s) == (0, 1, None)

    state.apply(COMPLAINTS.name, 0, [_complaint("received", received_at, "e1")])
    figures = complaint_figures(
        state.aggregate(COMPLAINTS.name, "complaints:dimension:living"), received_at.date()
    )
    assert figures.open == 0
    assert (figures.received_today, figures.resolved_today) == (1, 1)
    assert figures.ttr_mean_today_s == 5 * 3600
    assert figures.ttr_p90_today_s == 28800  # the 8-hour bucket


def test_today_is_the_city_local_day() -> None:
    # 18:30 UTC on the 27th is 01:30 on the 28th in Mojokerto.
    late = datetime(2026, 11, 27, 18, 30, tzinfo=ZoneInfo("UTC"))
    state = MemoryState(ZONE, None)
    state.apply(COMPLAINTS.name, 0, [_complaint("received", late, "e1")])
    fields = state.aggregate(COMPLAINTS.name, "complaints:city:all")
    assert fields == {"received:2026-11-28": 1, "open": 1}


def test_a_reopened_complaint_is_open_again_then_resolved_on_its_last_day() -> None:
    day = datetime(2026, 11, 27, 8, 0, tzinfo=ZONE)
    steps = [("received", 0, "a"), ("resolved", 2, "b"), ("reopened", 26, "c")]
    state = MemoryState(ZONE, None)
    state.apply(
        COMPLAINTS.name, 0, [_complaint(s, day + timedelta(hours=h), i) for s, h, i in steps]
    )
    fields = state.aggregate(COMPLAINTS.name, "complaints:agency:dpupr")
    assert fields["open"] == 1 and fields["resolved:2026-11-27"] == 0
    state.apply(COMPLAINTS.name, 0, [_complaint("resolved", day + timedelta(hours=30), "d")])
    fields = state.aggregate(COMPLAINTS.name, "complaints:agency:dpupr")
    assert fields["open"] == 0 and fields["resolved:2026-11-28"] == 1


def test_the_demo_portfolio_reproduces_the_2023_realization() -> None:
    figures = {
        d.key.value: program_figures(
            REFERENCE.aggregate(PROGRAMS.name, f"programs:dimension:{d.key.value}")
        )
        for d in PROFILE.dimensions
    }
    assert figures["environment"].realization_pct == 85.71
    assert (figures["environment"].completed, figures["environment"].planned) == (6, 7)
    assert figures["governance"].planned == 10
    assert all(f.realization_pct == 100.0 for k, f in figures.items() if k != "environment")
    assert figures["environment"].by_status == {"completed": 6, "running": 1}
    assert figures["environment"].mean_realization_pct == round((600 + 60) / 7, 2)


def test_indicator_figures_know_their_direction() -> None:
    [record] = [r for r in REFERENCE.records[Partition(INDICATORS.name, 0)].values()
                if r.indicator_id == "stunting-prevalence"]  # type: ignore[union-attr]  # fmt: skip
    assert isinstance(record, IndicatorRecord)
    figures = indicator_figures(record, Label(id="Prevalensi stunting", en="Stunting prevalence"))
    assert (figures.period, figures.value, figures.target) == ("2023-09", 2.26, 2.0)
    assert figures.distance_to_target == 0.26
    assert figures.on_target is False, "lower is better and 2.26 is above 2.0"
    assert figures.change is not None and figures.change < 0
    assert figures.previous is not None and figures.change == round(2.26 - figures.previous, 6)


def test_records_survive_their_redis_encoding() -> None:
    for shard in REFERENCE.records.values():
        for record in shard.values():
            assert decode_record(encode_record(record)) == record


def test_arrivals_are_counted_per_event_time_minute() -> None:
    received = [e for e in COMPLAINT_EVENTS if e.status == "received" and e.dimension == "living"]
    minutes = REFERENCE.aggregate(COMPLAINTS.name, "arrivals:dimension:living")
    assert sum(minutes.values()) == len({e.complaint_id for e in received})
    first = received[0]
    assert minutes[str(int(first.occurred_at.timestamp()) // 60)] >= 1


def test_arrivals_per_hour_are_the_minutes_summed_by_hour() -> None:
    for dimension in PROFILE.dimensions:
        key = dimension.key.value
        minutes = REFERENCE.aggregate(COMPLAINTS.name, f"arrivals:dimension:{key}")
        by_hour: Counter[str] = Counter()
        for minute, count in minutes.items():
            by_hour[str(int(minute) // 60 * 60)] += count
        assert REFERENCE.aggregate(COMPLAINTS.name, f"hourly-arrivals:dimension:{key}") == by_hour


def test_a_complaint_received_earlier_moves_to_its_hour() -> None:
    late = complaint_document(event_id="h-1", status="verified",
                              occurred_at="2026-11-23T10:20:00+07:00")  # fmt: skip
    first = complaint_document(event_id="h-2", status="received",
                               occurred_at="2026-11-23T09:50:00+07:00")  # fmt: skip
    state = _state([[event_from_mapping(late)], [event_from_mapping(first)]])
    hours = state.aggregate(COMPLAINTS.name, f"hourly-arrivals:dimension:{late['dimension']}")
    nine = int(datetime(2026, 11, 23, 9, tzinfo=ZONE).timestamp()) // 60
    assert hours == Counter({str(nine): 1})


def test_the_fast_complaint_delta_equals_the_difference_of_contributions() -> None:
    zone = PROFILE.timezone
    start = datetime(2026, 11, 23, tzinfo=zone)
    records: dict[str, Record] = {}
    for event in itertools.islice(city_feed(PROFILE, SimulationConfig(start, seed=77)), 6000):
        old = records.get(event.entity_id)
        new = apply_event(old, event)
        generic = _difference(contribution(old, zone), contribution(new, zone))
        assert delta(old, new, zone) == generic, event.event_id
        records[event.entity_id] = new
