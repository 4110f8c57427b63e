"""The fast folds against the first ones (reference.py): for any events, in any order and
batching, with duplicates, the same records (compared through their encoding, byte for
byte), the same aggregate deltas and the same count of events that changed nothing."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.contract.city import load_city_profile
from pantau.contract.dimensions import Dimension
from pantau.contract.events import (
    AnyEvent,
    Channel,
    ComplaintStatus,
    encode_event,
    event_from_mapping,
    parse_event,
)
from pantau.state.batch import fold_batch
from pantau.state.codec import encode_record
from pantau.state.memory import MemoryState
from pantau.state.records import Record
from producers.simulator.feed import SimulationConfig, city_feed
from tests.factories import complaint_document, indicator_document, program_document
from tests.unit.state import reference

ZONE = ZoneInfo("Asia/Jakarta")
PROFILE = load_city_profile("mojokerto")
START = datetime(2026, 11, 23, tzinfo=ZONE)
# As the simulator builds them (zoneinfo datetimes) and as the worker decodes them
# (pydantic's fixed-offset zones): epoch_ms takes a different path for each.
BUILT: list[AnyEvent] = list(itertools.islice(city_feed(PROFILE, SimulationConfig(START)), 1200))
PARSED: list[AnyEvent] = [parse_event(encode_event(e)) for e in BUILT]

Shards = dict[str, dict[str, Any]]  # kind -> entity -> record


def _same_folds(batches: list[list[Any]], zone: ZoneInfo = ZONE) -> tuple[Shards, Shards]:
    """Fold every batch with both, per kind as the topics split them; assert each batch
    gives the same results. Returns both states."""
    fast: Shards = {}
    slow: Shards = {}
    for batch in batches:
        for kind in ("complaint", "program", "indicator"):
            events = [e for e in batch if e.kind == kind]
            records, old_records = fast.setdefault(kind, {}), slow.setdefault(kind, {})
            before: dict[str, Record | None] = {
                e.entity_id: records.get(e.entity_id) for e in events
            }
            new = fold_batch(before, events, zone)
            old = reference.fold_batch(
                {e.entity_id: old_records.get(e.entity_id) for e in events}, events, zone
            )
            assert new.unchanged == old.unchanged
            assert new.aggregates == old.aggregates
            assert list(new.changed) == list(old.changed)
            for entity, record in new.changed.items():
                assert encode_record(record) == reference.encode_record(old.changed[entity])
            records.update(new.changed)
            old_records.update(old.changed)
    return fast, slow


def _batches(events: list[Any], seed: int, cuts: list[int]) -> list[list[Any]]:
    shuffled = events + events[::5]  # every fifth event delivered twice
    random.Random(seed).shuffle(shuffled)
    batches, position = [], 0
    for size in itertools.cycle(cuts):
        if position >= len(shuffled):
            break
        batches.append(shuffled[position : position + size])
        position += size
    return batches


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32), st.lists(st.integers(1, 300), min_size=1, max_size=6))
def test_the_city_feed_folds_alike_in_any_order_and_batching(seed: int, cuts: list[int]) -> None:
    _same_folds(_batches(BUILT, seed, cuts))
    _same_folds(_batches(PARSED, seed, cuts))


def test_the_city_feed_folds_alike_in_order() -> None:
    _same_folds([PARSED[i : i + 100] for i in range(0, len(PARSED), 100)])


PLACES = [
    {"dimension": "living", "category": "jalan-rusak", "agency": "dpupr",
     "kecamatan": "magersari", "kelurahan": "wates"},
    {"dimension": "living", "category": "jalan-rusak", "agency": "dpupr",
     "kecamatan": "prajurit-kulon", "kelurahan": "surodinawan"},
    {"dimension": "living", "category": "jalan-rusak", "agency": "dpupr",
     "kecamatan": "kranggan", "kelurahan": "wates"},
    {"dimension": "environment", "category": "sampah", "agency": "dlh",
     "kecamatan": "magersari", "kelurahan": "wates"},
]  # fmt: skip
OFFSETS = [UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30))]
# Around a local midnight, so that steps and arrivals fall on either side of a day.
MIDNIGHT = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


@st.composite
def complaint_events(draw: st.DrawFn) -> AnyEvent:
    # Whole quarter hours and days apart, so that times to resolution fall on the bucket
    # bounds; a few microseconds off, so that they fall just either side of them.
    at = MIDNIGHT + timedelta(
        minutes=15 * draw(st.integers(-40, 100)) + 1440 * draw(st.integers(0, 32)),
        microseconds=draw(st.sampled_from([0, 1, 999, 123_000, 999_999])),
    )
    document = complaint_document(
        complaint_id=f"C-{draw(st.integers(0, 1))}",
        event_id=f"e-{draw(st.integers(0, 40))}",  # a reused id is a duplicate
        status=draw(st.sampled_from(list(ComplaintStatus))).value,
        channel=draw(st.sampled_from(list(Channel))).value,
        occurred_at=at.astimezone(draw(st.sampled_from(OFFSETS))).isoformat(),
        **draw(st.sampled_from(PLACES)),
    )
    return event_from_mapping(document)


@st.composite
def portfolio_events(draw: st.DrawFn) -> AnyEvent:
    at = (MIDNIGHT + timedelta(seconds=draw(st.integers(0, 10**7)))).isoformat()
    event_id = f"e-{draw(st.integers(0, 40))}"
    dimension = draw(st.sampled_from(list(Dimension))).value
    if draw(st.booleans()):
        return event_from_mapping(program_document(
            program_id=f"P-{draw(st.integers(0, 2))}", event_id=event_id, occurred_at=at,
            dimension=dimension, year=draw(st.integers(2000, 2100)),
            status=draw(st.sampled_from(["planned", "running", "completed", "cancelled"])),
            realization_pct=draw(st.floats(0, 100)),
        ))  # fmt: skip
    return event_from_mapping(indicator_document(
        indicator_id=f"ind-{draw(st.integers(0, 2))}", event_id=event_id, occurred_at=at,
        dimension=dimension, period=draw(st.sampled_from(["2023", "2023-01", "2023-Q2", "2024"])),
        value=draw(st.floats(allow_nan=False, allow_infinity=False)),
        target=draw(st.none() | st.floats(allow_nan=False, allow_infinity=False)),
        direction=draw(st.sampled_from(["lower_is_better", "higher_is_better"])),
    ))  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(complaint_events() | portfolio_events(), min_size=1, max_size=40),
    st.lists(st.integers(1, 12), min_size=1, max_size=4),
    st.sampled_from([ZONE, ZoneInfo("UTC"), ZoneInfo("America/St_Johns")]),
)
def test_any_steps_of_a_few_entities_fold_alike(
    events: list[AnyEvent], cuts: list[int], zone: ZoneInfo
) -> None:
    """Late steps, re-routing, resolutions before their "received", days either side of
    midnight in other zones, corrections of indicator periods: every branch of the folds."""
    batches, position = [], 0
    for size in itertools.cycle(cuts):
        if position >= len(events):
            break
        batches.append(events[position : position + size])
        position += size
    _same_folds(batches, zone)


class WireComplaint(msgspec.Struct, frozen=True):
    """A complaint as a leaner decoder might give it: the same names, no pydantic."""

    kind: str
    event_id: str
    occurred_at: datetime
    complaint_id: str
    status: ComplaintStatus
    channel: Channel
    category: str
    dimension: Dimension
    agency: str
    kecamatan: str
    kelurahan: str

    @property
    def entity_id(self) -> str:
        return self.complaint_id


def test_events_of_another_decoder_fold_alike() -> None:
    complaints = [e for e in PARSED if e.kind == "complaint"]
    wire = [msgspec.json.decode(encode_event(e), type=WireComplaint) for e in complaints]
    assert isinstance(wire[0].occurred_at.tzinfo, timezone)
    records: dict[str, Record] = {}
    for start in range(0, len(complaints), 200):
        batch = complaints[start : start + 200]
        before: dict[str, Record | None] = {e.entity_id: records.get(e.entity_id) for e in batch}
        ours = fold_batch(before, batch, ZONE)
        assert fold_batch(before, wire[start : start + 200], ZONE) == ours
        records.update(ours.changed)


def _step(complaint: str, event_id: str, status: str, at: datetime, **place: str) -> AnyEvent:
    return event_from_mapping(complaint_document(
        complaint_id=complaint, event_id=event_id, status=status, occurred_at=at.isoformat(),
        **(PLACES[0] | place),
    ))  # fmt: skip


def test_times_to_resolution_on_and_either_side_of_every_bound() -> None:
    events = []
    gaps = [timedelta(seconds=b) + d for b in reference.TTR_BOUNDS
            for d in (timedelta(0), timedelta(milliseconds=-1), timedelta(seconds=1))]  # fmt: skip
    gaps += [
        timedelta(milliseconds=-500),
        timedelta(seconds=-1),
        timedelta(seconds=-1, milliseconds=-1),
    ]
    for n, gap in enumerate(gaps):
        events += [_step(f"C-{n}", f"r-{n}", "received", MIDNIGHT),
                   _step(f"C-{n}", f"s-{n}", "resolved", MIDNIGHT + gap)]  # fmt: skip
    _same_folds([events])
    _same_folds([events[1::2], events[::2]])  # resolutions known before their arrival


@given(st.sampled_from(["dimension", "category", "agency", "kecamatan", "kelurahan"]),
       st.sampled_from([timedelta(seconds=10), timedelta(hours=1), timedelta(days=1)]),
       st.booleans())  # fmt: skip
def test_a_complaint_moved_in_any_one_group_moves_alike(
    group: str, later: timedelta, closed: bool
) -> None:
    moved = {group: "other" if group != "dimension" else "economy"}
    first = _step("C-1", "a", "received", MIDNIGHT)
    second = _step("C-1", "b", "resolved" if closed else "verified", MIDNIGHT + later, **moved)
    _same_folds([[first], [second]])
    _same_folds([[second], [first]])
    _same_folds([[first, second]])


@pytest.mark.parametrize("then", list(ComplaintStatus))
@pytest.mark.parametrize("was", list(ComplaintStatus))
def test_every_status_step_after_every_other_folds_alike(
    was: ComplaintStatus, then: ComplaintStatus
) -> None:
    """A complaint received, then in one status, then in another, a batch each: the
    status step that moves its figures, or not, from any status to any other."""
    steps = [
        _step("C-1", "a", "received", MIDNIGHT),
        _step("C-1", "b", was.value, MIDNIGHT + timedelta(hours=3)),
        _step("C-1", "c", then.value, MIDNIGHT + timedelta(days=1, hours=2)),
    ]
    _same_folds([[step] for step in steps])
    _same_folds([steps[:2], steps[2:]])


def test_the_rebuild_in_memory_holds_what_the_first_folds_summed() -> None:
    """MemoryState drops the fields that come back to zero as it always did."""
    state = MemoryState(ZONE, None)
    records: dict[tuple[str, str], Any] = {}
    sums: dict[str, Counter[str]] = {}
    for batch in _batches(PARSED, 7, [90, 400, 13]):
        for kind in ("complaint", "program", "indicator"):
            events = [e for e in batch if e.kind == kind]
            state.apply(kind, 0, events)
            before = {e.entity_id: records.get((kind, e.entity_id)) for e in events}
            fold = reference.fold_batch(before, events, ZONE)
            records.update({(kind, entity): r for entity, r in fold.changed.items()})
            for suffix, fields in fold.aggregates.items():
                counter = sums.setdefault(f"{kind} {suffix}", Counter())
                counter.update(fields)
                for name in [n for n, v in counter.items() if v == 0]:
                    del counter[name]
                if not counter:
                    del sums[f"{kind} {suffix}"]
    held = {
        f"{topic} {suffix}": dict(counter)  # as dicts: counters take a zero for missing
        for (topic, _), aggregates in state.aggregates.items()
        for suffix, counter in aggregates.items()
    }
    assert held == {key: dict(counter) for key, counter in sums.items()}
