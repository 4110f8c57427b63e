"""Each stage of a complaint, from its status steps: when it started, was due, was met."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from functools import reduce
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.contract.city import load_city_profile
from pantau.contract.events import ComplaintEvent, ComplaintStatus, event_from_mapping
from pantau.contract.service_levels import ServiceLevels, Stage
from pantau.state.calendar import epoch_ms
from pantau.state.complaints import calendar
from pantau.state.deadlines import StageTimes, Step, stage_times
from pantau.state.records import ComplaintRecord, apply_complaint
from pantau.state.service_fields import ServiceClock
from tests.factories import complaint_document

PROFILE = load_city_profile("mojokerto")
LEVELS = PROFILE.service_levels
WIB = ZoneInfo("Asia/Jakarta")


def ms(text: str) -> int:
    return epoch_ms(datetime.fromisoformat(text).replace(tzinfo=WIB))


def steps(*timeline: tuple[str, str]) -> list[Step]:
    return [(ms(at), f"evt-{n}", status) for n, (at, status) in enumerate(timeline)]


def times(
    timeline: list[Step], category: str = "sampah", agency: str = "dlh",
    levels: ServiceLevels = LEVELS,
) -> tuple[StageTimes, StageTimes, StageTimes]:  # fmt: skip
    return stage_times(timeline, category, agency, levels, WIB)


def test_a_complaint_followed_through_meets_or_misses_each_stage() -> None:
    forwarding, first_action, resolution = times(
        steps(
            ("2026-10-09 17:00", "received"),  # a Friday evening
            ("2026-10-12 09:00", "verified"),
            ("2026-10-13 10:00", "dispatched"),
            ("2026-10-21 08:30", "in_progress"),
            ("2026-10-16 15:00", "resolved"),  # sampah: a simple complaint, 5 working days
        )
    )
    assert forwarding == StageTimes(
        Stage.FORWARDING, ms("2026-10-09 17:00"), ms("2026-10-14 16:00"), ms("2026-10-13 10:00")
    )
    assert forwarding.met_in_time is True
    # 5 working days after Tuesday the 13th: 14, 15, 16, 19, 20.
    assert first_action.due_ms == ms("2026-10-20 16:00")
    # Resolved before the agency's own in_progress step: that ends its first action.
    assert first_action.met_ms == ms("2026-10-16 15:00")
    assert resolution.due_ms == ms("2026-10-16 16:00")
    assert resolution.met_in_time is True


def test_a_late_first_action_is_met_but_not_in_time() -> None:
    _, first_action, resolution = times(
        steps(
            ("2026-10-09 10:00", "received"),
            ("2026-10-13 10:00", "dispatched"),
            ("2026-10-21 08:30", "in_progress"),
        )
    )
    assert (first_action.met_ms, first_action.met_in_time) == (ms("2026-10-21 08:30"), False)
    assert (resolution.met_ms, resolution.met_in_time) == (None, None)


def test_the_service_class_picks_the_resolution_deadline() -> None:
    timeline = steps(("2026-10-09 10:00", "received"))
    dues = {
        category: times(timeline, category)[2].due_ms
        for category in ("informasi-publik", "perizinan", "jalan-rusak")
    }
    assert dues == {
        "informasi-publik": ms("2026-10-16 16:00"),  # 5 working days
        "perizinan": ms("2026-10-29 16:00"),  # 14
        # 60: over Christmas, cuti bersama on the 24th, New Year and Isra Mikraj (5 January).
        "jalan-rusak": ms("2027-01-07 16:00"),
    }


def test_an_agency_override_applies() -> None:
    levels = ServiceLevels.model_validate(
        {**LEVELS.model_dump(),
         "overrides": {"agencies": {"dlh": {"first_action": {"working_hours": 4}}}}}
    )  # fmt: skip
    timeline = steps(("2026-10-09 10:00", "received"), ("2026-10-12 14:00", "dispatched"))
    assert times(timeline, levels=levels)[1].due_ms == ms("2026-10-13 10:00")
    assert times(timeline, agency="dpupr", levels=levels)[1].due_ms == ms("2026-10-19 16:00")


def test_a_rejection_in_time_counts_as_met() -> None:
    forwarding, first_action, resolution = times(
        steps(("2026-10-09 10:00", "received"), ("2026-10-12 11:00", "rejected"))
    )
    assert (forwarding.met_ms, forwarding.met_in_time) == (ms("2026-10-12 11:00"), True)
    assert (resolution.met_ms, resolution.met_in_time) == (ms("2026-10-12 11:00"), True)
    # Never dispatched: the agency's stage never started.
    assert first_action == StageTimes(Stage.FIRST_ACTION, None, None, None)


def test_a_reopening_starts_the_resolution_clock_again() -> None:
    timeline = steps(
        ("2026-10-09 10:00", "received"),
        ("2026-10-12 09:00", "dispatched"),
        ("2026-10-12 13:00", "in_progress"),
        ("2026-10-13 10:00", "resolved"),
        ("2026-10-20 11:00", "reopened"),
    )
    forwarding, first_action, resolution = times(timeline)
    assert resolution == StageTimes(
        Stage.RESOLUTION, ms("2026-10-20 11:00"), ms("2026-10-27 16:00"), None
    )
    # The stages before it keep what they were.
    assert forwarding.met_ms == ms("2026-10-12 09:00")
    assert first_action.met_ms == ms("2026-10-12 13:00")
    later = [*timeline, (ms("2026-10-28 09:00"), "evt-late", "rejected")]
    assert times(later)[2].met_ms == ms("2026-10-28 09:00")
    assert times(later)[2].met_in_time is False
    # Reopened twice: the latest reopening is what counts.
    again = [*later, (ms("2026-11-02 09:00"), "evt-again", "reopened")]
    assert times(again)[2].started_ms == ms("2026-11-02 09:00")
    assert times(again)[2].met_ms is None


def test_a_stage_whose_start_has_not_arrived_has_no_times_yet() -> None:
    alone = steps(("2026-10-16 15:00", "resolved"))
    assert times(alone)[2] == StageTimes(Stage.RESOLUTION, None, None, None)
    full = [*alone, (ms("2026-10-09 10:00"), "evt-received", "received")]
    assert times(full)[2] == StageTimes(
        Stage.RESOLUTION, ms("2026-10-09 10:00"), ms("2026-10-16 16:00"), ms("2026-10-16 15:00")
    )


def test_the_record_the_fold_keeps_is_its_input() -> None:
    statuses = ("received", "dispatched", "in_progress", "resolved")
    events = [
        event_from_mapping(
            complaint_document(
                event_id=f"evt-{n}", status=status, occurred_at=f"2026-10-{12 + n}T03:00:00+00:00"
            )
        )
        for n, status in enumerate(statuses)
    ]
    complaints = [event for event in events if isinstance(event, ComplaintEvent)]
    record = reduce(apply_complaint, reversed(complaints), None)
    assert isinstance(record, ComplaintRecord)
    found = stage_times(
        record.steps, record.category, record.agency, PROFILE.service_levels, PROFILE.timezone
    )
    assert [stage.met_in_time for stage in found] == [True, True, True]


STATUSES = st.sampled_from([status.value for status in ComplaintStatus])
# Event times within three weeks of October 2026, to the millisecond.
STEP_TIMES = st.integers(ms("2026-10-05 00:00"), ms("2026-10-26 00:00"))


@st.composite
def timelines(draw: st.DrawFn) -> list[Step]:
    timeline = draw(st.lists(st.tuples(STEP_TIMES, STATUSES), min_size=1, max_size=8))
    return [(at, f"evt-{n}", status) for n, (at, status) in enumerate(timeline)]


@settings(max_examples=300)
@given(timelines().flatmap(lambda t: st.tuples(st.just(t), st.permutations(t))))
def test_steps_in_any_order_give_the_same_stages(pair: tuple[list[Step], list[Step]]) -> None:
    timeline, shuffled = pair
    assert times(shuffled) == times(timeline)
    assert times([*shuffled, *timeline[:2]]) == times(timeline)  # a step delivered twice


@settings(max_examples=300)
@given(timelines())
def test_a_stage_is_met_after_it_started_and_due_after_it_started(timeline: list[Step]) -> None:
    for stage in times(timeline):
        if stage.started_ms is not None:
            assert stage.due_ms is not None and stage.due_ms > stage.started_ms
            assert stage.met_ms is None or stage.met_ms >= stage.started_ms
        else:
            assert stage.due_ms is None and stage.met_ms is None


@settings(max_examples=300)
@given(timelines())
def test_the_folds_clocks_agree_with_these_stages(timeline: list[Step]) -> None:
    # The fold's own, cached road to the same stages (service_fields.py).
    record = ComplaintRecord("C-1", "environment", "sampah", "dlh", "magersari", "wates",
                             "whatsapp", tuple(sorted(timeline)))  # fmt: skip
    clocks = ServiceClock.of(PROFILE).clocks(record, calendar(PROFILE.timezone))
    found = {stage: (started, met, None if due is None else due[0])
             for stage, started, met, due in clocks}  # fmt: skip
    for stage in times(timeline):
        if stage.started_ms is None:
            assert stage.stage not in found
        else:
            assert found[stage.stage] == (stage.started_ms, stage.met_ms, stage.due_ms)


def test_the_runtime_never_imports_the_holidays_library() -> None:
    # Only `pantau dev calendar` reads the library; the stream reads the committed file.
    probe = (
        "import json, sys\n"
        "from pantau.contract.city import load_city_profile\n"
        "import pantau.state.deadlines\n"
        "load_city_profile('mojokerto').service_levels.working_calendar\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'holidays')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []
