"""Deadline arithmetic in working time: pure, on the committed calendar, in city time.

What a deadline means (the reading of SP4N-LAPOR's "N hari kerja" used here):

- N working days: the count starts on the working day after the day of receipt, so the
  deadline is the office's closing time on the Nth working day after the (local) date the
  clock started, whatever the hour it started. A report on Friday at 17:00 or at 09:00,
  or on Saturday, with 3 working days, is due on Wednesday at closing time (16:00 in
  Mojokerto) when no holiday intervenes.
- N working hours: only time within office hours on working days counts. A clock that
  starts outside office hours starts at the next opening; the deadline is the instant the
  Nth hour is used up, so it is never after closing (a deadline that uses up a day
  exactly falls at that day's closing, not the next opening). Office hours are wall-clock
  hours in the city's zone.

A working day is one of the office's days that is no day off in the calendar (national
holidays, joint leave, the city's own). A day outside the calendar's years raises
OutsideCalendarError rather than being guessed (see working_calendar.py), but only when
the answer depends on it: a day the office never works (a Sunday) is known without the
calendar, and a count that never reaches an uncovered working day needs none.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.contract.service_levels import Deadline, OfficeHours
from pantau.contract.working_calendar import WorkingCalendar

_DAY = timedelta(days=1)


def is_working_day(day: date, calendar: WorkingCalendar, office_hours: OfficeHours) -> bool:
    return day.weekday() in office_hours.weekdays and not calendar.is_day_off(day)


def due_at(
    start: datetime,
    deadline: Deadline,
    calendar: WorkingCalendar,
    office_hours: OfficeHours,
    tz: ZoneInfo,
) -> datetime:
    """When a stage whose clock started at `start` (aware) is due, in the city's zone."""
    local = start.astimezone(tz)
    if deadline.working_days is not None:
        day = nth_working_day_after(local.date(), deadline.working_days, calendar, office_hours)
        return datetime.combine(day, office_hours.closes, tz)
    assert deadline.working_hours is not None  # the model holds exactly one
    return _after_working_time(
        local.replace(tzinfo=None), timedelta(hours=deadline.working_hours), calendar,
        office_hours,
    ).replace(tzinfo=tz)  # fmt: skip


def nth_working_day_after(
    day: date, count: int, calendar: WorkingCalendar, office_hours: OfficeHours
) -> date:
    while count > 0:
        day += _DAY
        if is_working_day(day, calendar, office_hours):
            count -= 1
    return day


def _after_working_time(
    start: datetime, needed: timedelta, calendar: WorkingCalendar, office_hours: OfficeHours
) -> datetime:
    """The wall-clock instant at which `needed` office time has passed since `start`."""
    day = start.date()
    while True:
        if is_working_day(day, calendar, office_hours):
            opens = datetime.combine(day, office_hours.opens)
            closes = datetime.combine(day, office_hours.closes)
            begin = max(start, opens)
            if begin < closes:
                if needed <= closes - begin:
                    return begin + needed
                needed -= closes - begin
        day += _DAY
