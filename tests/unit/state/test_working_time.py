"""Deadlines in working days and hours, on Mojokerto's committed calendar, in city time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.contract.city import load_city_profile
from pantau.contract.service_levels import Deadline, OfficeHours, ServiceLevels
from pantau.contract.working_calendar import (
    CalendarYears,
    DatedDay,
    OutsideCalendarError,
    WorkingCalendar,
)
from pantau.state.working_time import due_at, is_working_day

WIB = ZoneInfo("Asia/Jakarta")
LEVELS = load_city_profile("mojokerto").service_levels
CALENDAR, HOURS = LEVELS.working_calendar, LEVELS.office_hours


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def due(start: datetime, *, days: int | None = None, hours: int | None = None) -> datetime:
    deadline = Deadline(working_days=days, working_hours=hours)
    return due_at(start, deadline, CALENDAR, HOURS, WIB)


@pytest.mark.parametrize(
    "start",
    ["2026-10-09 17:00", "2026-10-09 09:00", "2026-10-09 00:00", "2026-10-10 11:00",
     "2026-10-11 23:59:59"],
)  # fmt: skip
def test_three_working_days_from_a_friday_evening_or_the_weekend_end_on_wednesday(
    start: str,
) -> None:
    # The count starts on the working day after the day of receipt, whatever the hour.
    assert due(wib(start), days=3) == wib("2026-10-14 16:00")


def test_the_day_is_the_citys_not_utcs() -> None:
    utc = ZoneInfo("UTC")
    # Thursday 18:00 UTC is already Friday 01:00 in Mojokerto.
    assert due(datetime(2026, 10, 8, 18, tzinfo=utc), days=3) == wib("2026-10-14 16:00")
    assert due(datetime(2026, 10, 8, 16, tzinfo=utc), days=3) == wib("2026-10-13 16:00")
    assert due(wib("2026-10-09 17:00"), days=3).utcoffset() == timedelta(hours=7)


def test_a_national_holiday_is_skipped() -> None:
    # Monday 17 August 2026 is Independence Day.
    assert due(wib("2026-08-14 10:00"), days=3) == wib("2026-08-20 16:00")
    assert due(wib("2026-08-14 10:00"), days=1) == wib("2026-08-18 16:00")


def test_the_joint_leave_block_around_idul_fitri_is_skipped() -> None:
    # 18-24 March 2026: Nyepi (19), Idul Fitri (21, 22) and cuti bersama (18, 20, 23, 24).
    assert is_working_day(date(2026, 3, 17), CALENDAR, HOURS)
    for day in range(18, 25):
        assert not is_working_day(date(2026, 3, day), CALENDAR, HOURS), day
    assert due(wib("2026-03-17 10:00"), days=3) == wib("2026-03-27 16:00")
    assert due(wib("2026-03-16 10:00"), days=1) == wib("2026-03-17 16:00")
    assert due(wib("2026-03-17 15:00"), hours=2) == wib("2026-03-25 09:00")


def test_a_day_off_of_the_citys_own_is_skipped() -> None:
    day_off = DatedDay(date=date(2026, 10, 12), name="Libur kota")
    levels = ServiceLevels.model_validate({**LEVELS.model_dump(), "days_off": [day_off]})
    deadline = Deadline(working_days=3)
    start = wib("2026-10-09 17:00")
    assert due_at(start, deadline, levels.working_calendar, HOURS, WIB) == wib("2026-10-15 16:00")


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-10-12 10:00", 4, "2026-10-12 14:00"),
        ("2026-10-12 10:00", 6, "2026-10-12 16:00"),  # uses up the day: at closing
        ("2026-10-12 10:00", 7, "2026-10-13 09:00"),
        ("2026-10-12 10:15:30", 1, "2026-10-12 11:15:30"),
        ("2026-10-12 06:30", 1, "2026-10-12 09:00"),  # before opening: from opening
        ("2026-10-12 17:00", 1, "2026-10-13 09:00"),  # after closing: the next opening
        ("2026-10-09 15:00", 2, "2026-10-12 09:00"),  # over the weekend
        ("2026-10-10 12:00", 8, "2026-10-12 16:00"),  # from a Saturday
        ("2026-08-14 15:00", 2, "2026-08-18 09:00"),  # over a holiday Monday
        ("2026-10-12 08:00", 40, "2026-10-16 16:00"),  # a working week
    ],
)
def test_working_hours_count_only_office_time(start: str, hours: int, expected: str) -> None:
    assert due(wib(start), hours=hours) == wib(expected)


def test_a_deadline_that_needs_a_day_beyond_the_calendar_fails_loudly() -> None:
    # Thursday 30 December 2027 + 3: Friday 31, then the weekend (a weekend needs no
    # calendar), then Monday 3 January 2028, which it does not cover.
    with pytest.raises(OutsideCalendarError, match="2028-01-03 is outside"):
        due(wib("2027-12-30 10:00"), days=3)
    with pytest.raises(OutsideCalendarError, match="--years 2023-2027"):
        due(wib("2023-12-28 10:00"), days=1)
    with pytest.raises(OutsideCalendarError, match="2023-12-28 is outside"):
        due(wib("2023-12-28 10:00"), hours=1)
    # A start before the calendar whose count reaches only covered working days is known.
    assert due(wib("2023-12-29 10:00"), days=1) == wib("2024-01-02 16:00")


def test_a_zone_with_summer_time_keeps_its_offsets() -> None:
    new_york = ZoneInfo("America/New_York")
    calendar = WorkingCalendar(CalendarYears(first=2026, last=2026), frozenset())
    hours = OfficeHours(opens=time(9), closes=time(17))
    # Summer time begins on Sunday 8 March 2026.
    start = datetime(2026, 3, 6, 12, tzinfo=new_york)
    found = due_at(start, Deadline(working_days=1), calendar, hours, new_york)
    assert found == datetime(2026, 3, 9, 17, tzinfo=new_york)
    assert found.utcoffset() == timedelta(hours=-4)


STARTS = st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=WIB)
)


@settings(max_examples=300)
@given(STARTS, st.integers(1, 20), st.integers(1, 40))
def test_every_due_time_is_a_working_instant_after_its_start(
    start: datetime, days: int, hours: int
) -> None:
    for found in (due(start, days=days), due(start, hours=hours)):
        assert found > start
        assert is_working_day(found.date(), CALENDAR, HOURS)
        assert HOURS.opens < found.timetz().replace(tzinfo=None) <= HOURS.closes
    assert due(start, days=days).time() == HOURS.closes


@settings(max_examples=300)
@given(STARTS, STARTS, st.integers(1, 20))
def test_a_later_start_is_never_due_earlier(first: datetime, second: datetime, days: int) -> None:
    early, late = sorted((first, second))
    assert due(early, days=days) <= due(late, days=days)
    assert due(early, hours=days) <= due(late, hours=days)
