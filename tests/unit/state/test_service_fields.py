"""Each complaint's clocks against their deadlines, folded, then judged at an instant.

Mojokerto's defaults: the desk forwards within 3 working days, the agency acts within 5,
a road (jalan-rusak, a field check) is resolved within 60; office hours close at 16:00.
Monday 30 November 2026 to Friday 11 December has no day off in the national calendar.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from pantau.contract.city import load_city_profile
from pantau.contract.events import ComplaintEvent, event_from_mapping
from pantau.contract.topics import COMPLAINTS
from pantau.state.compute import city_figures
from pantau.state.figures import ServiceFigures
from pantau.state.memory import MemoryState
from pantau.state.service_fields import ServiceClock
from pantau.state.service_judge import ServiceJudge
from tests.factories import complaint_document

PROFILE = load_city_profile("mojokerto")
ZONE = PROFILE.timezone
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)
FORWARDING_DUE = datetime(2026, 12, 3, 16, 0, tzinfo=ZONE)  # Thursday, closing time


def _complaint(status: str, at: datetime, event_id: str, **changes: str) -> ComplaintEvent:
    event = event_from_mapping(complaint_document(**{
        "event_id": event_id, "status": status, "occurred_at": at.isoformat(),
        "complaint_id": "C-1", **changes,
    }))  # fmt: skip
    assert isinstance(event, ComplaintEvent)
    return event


def _state(*steps: tuple[str, datetime], **changes: str) -> MemoryState:
    state = MemoryState(ZONE, ServiceClock.of(PROFILE))
    events = [_complaint(s, at, f"e{n}", **changes) for n, (s, at) in enumerate(steps)]
    state.apply(COMPLAINTS.name, 0, events)
    return state


def _judged(
    state: MemoryState, at: datetime, suffix: str = "service:agency:dpupr"
) -> ServiceFigures:
    fields: Counter[str] = state.aggregate(COMPLAINTS.name, suffix)
    return ServiceJudge(at, at.date(), ZONE).figures(fields)


def test_an_unforwarded_complaint_becomes_overdue_when_its_deadline_passes() -> None:
    state = _state(("received", MONDAY))
    before = _judged(state, FORWARDING_DUE - timedelta(minutes=1))
    assert (before.overdue, before.due_24h, before.breached_today) == (0, 1, 0)
    # No event in between: only the clock moved.
    after = _judged(state, FORWARDING_DUE + timedelta(seconds=1))
    assert (after.overdue, after.due_24h, after.breached_today) == (1, 0, 1)
    next_day = _judged(state, FORWARDING_DUE + timedelta(hours=18))
    assert (next_day.overdue, next_day.breached_today) == (1, 0)
    fields = state.aggregate(COMPLAINTS.name, "service:agency:dpupr")
    judge = ServiceJudge(FORWARDING_DUE + timedelta(seconds=1), FORWARDING_DUE.date(), ZONE)
    assert judge.overdue_by_stage(fields) == {"forwarding": 1}


def test_a_late_forwarding_is_a_breach_of_the_day_it_fell_due_and_the_clock_moves_on() -> None:
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=ZONE)
    state = _state(("received", MONDAY), ("dispatched", friday))
    fields = state.aggregate(COMPLAINTS.name, "service:agency:dpupr")
    # The agency's first action is due five working days after Friday: Friday 11 December.
    assert fields == {
        "sla_missed:2026-12-03": 1,
        f"sla_due:first_action:{int(datetime(2026, 12, 11, 16, tzinfo=ZONE).timestamp())}": 1,
    }
    assert _judged(state, friday + timedelta(hours=1)).overdue == 0
    thursday_evening = _judged(state, FORWARDING_DUE + timedelta(hours=1))
    assert thursday_evening.breached_today == 1


def test_a_resolution_in_time_is_on_time_and_one_too_late_is_not() -> None:
    in_time = _state(("received", MONDAY), ("dispatched", MONDAY + timedelta(hours=1)),
                     ("resolved", MONDAY + timedelta(days=3)))  # fmt: skip
    figures = _judged(in_time, MONDAY + timedelta(days=4))
    assert (figures.overdue, figures.closed_30d, figures.on_time_30d) == (0, 1, 1)
    assert figures.on_time_pct_30d == 100.0
    # A complaint about rubbish is a simple one: 5 working days, Monday 7 December 16:00.
    late = _state(("received", MONDAY), ("dispatched", MONDAY + timedelta(hours=1)),
                  ("resolved", datetime(2026, 12, 8, 9, tzinfo=ZONE)),
                  category="sampah", agency="dlh", dimension="environment")  # fmt: skip
    judged = _judged(late, datetime(2026, 12, 8, 10, tzinfo=ZONE), "service:agency:dlh")
    assert (judged.closed_30d, judged.on_time_30d, judged.on_time_pct_30d) == (1, 0, 0.0)


def test_a_rejection_in_time_counts_as_met() -> None:
    state = _state(("received", MONDAY), ("rejected", MONDAY + timedelta(hours=2)))
    figures = _judged(state, MONDAY + timedelta(days=29))  # still within the 30 days
    assert (figures.overdue, figures.closed_30d, figures.on_time_30d) == (0, 1, 1)


def test_a_reopening_starts_the_resolution_clock_again() -> None:
    reopened = datetime(2026, 12, 1, 9, tzinfo=ZONE)  # Tuesday: due 60 working days later
    state = _state(("received", MONDAY), ("dispatched", MONDAY + timedelta(hours=1)),
                   ("in_progress", MONDAY + timedelta(hours=2)),
                   ("resolved", MONDAY + timedelta(hours=3)), ("reopened", reopened))  # fmt: skip
    fields = state.aggregate(COMPLAINTS.name, "service:agency:dpupr")
    assert not any(name.startswith(("sla_closed", "sla_on_time")) for name in fields)
    (due,) = (name for name in fields if name.startswith("sla_due:"))
    assert due.startswith("sla_due:resolution:")
    assert datetime.fromtimestamp(int(due.split(":")[2]), ZONE).date().year == 2027


def test_a_deadline_beyond_the_calendar_is_said_not_guessed() -> None:
    late_in_2027 = datetime(2027, 12, 20, 9, tzinfo=ZONE)  # 60 working days reach 2028
    state = _state(("received", late_in_2027))
    figures = _judged(state, late_in_2027 + timedelta(hours=1))
    assert figures.uncovered == 1
    # Its forwarding deadline, within 2027, still runs.
    fields = state.aggregate(COMPLAINTS.name, "service:agency:dpupr")
    assert [name for name in fields if name.startswith("sla_due:")] == [
        f"sla_due:forwarding:{int(datetime(2027, 12, 23, 16, tzinfo=ZONE).timestamp())}"
    ]


def test_the_city_is_its_dimensions_sum_and_the_map_shows_overdue_per_kelurahan() -> None:
    state = _state(("received", MONDAY))
    now = FORWARDING_DUE + timedelta(hours=1)
    figures = city_figures(state, PROFILE, now.date(), groups=False, now=now)
    assert figures.complaints.service is not None
    assert figures.complaints.service.overdue == 1
    assert figures.dimension("living").complaints.service.overdue == 1  # type: ignore[union-attr]
    assert figures.dimension("economy").complaints.service.overdue == 0  # type: ignore[union-attr]
    assert figures.areas["wates"].overdue == 1 and figures.areas["meri"].overdue == 0
    without_instant = city_figures(state, PROFILE, now.date(), groups=False)
    assert without_instant.complaints.service is None


def test_each_stage_s_median_is_the_bucket_its_middle_duration_falls_in() -> None:
    state = MemoryState(ZONE, ServiceClock.of(PROFILE))
    for n, (forward, act) in enumerate([(1, 5), (1.5, 20), (3, 30)]):  # hours each
        dispatched = MONDAY + timedelta(hours=forward)
        acted = dispatched + timedelta(hours=act)
        steps = [("received", MONDAY), ("dispatched", dispatched), ("in_progress", acted)]
        state.apply(COMPLAINTS.name, 0, [
            _complaint(status, at, f"{status}-{n}", complaint_id=f"C-{n}") for status, at in steps
        ])  # fmt: skip
    at = MONDAY + timedelta(days=3)
    levels = state.aggregate(COMPLAINTS.name, "service:agency:dpupr")
    times = state.aggregate(COMPLAINTS.name, "stage-times:agency:dpupr")
    figures = ServiceJudge(at, at.date(), ZONE).figures(levels, times)
    # Kept per dimension and agency only: the league table's medians.
    assert state.aggregate(COMPLAINTS.name, "stage-times:kelurahan:wates") == {}
    # Forwarding took 1, 1.5 and 3 hours: the middle one is in the bucket up to 2 hours.
    assert figures.forwarding_median_30d_s == 7200
    assert figures.first_action_median_30d_s == 86400  # 20 hours: the bucket up to a day
    assert figures.resolution_median_30d_s is None  # none resolved
