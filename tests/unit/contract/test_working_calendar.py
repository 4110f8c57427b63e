"""The committed national calendar: what the generator makes of the holidays library, and
the checks a calendar file passes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pantau.cli import app
from pantau.contract.calendar_generator import build_calendar, parse_years
from pantau.contract.errors import ContractError
from pantau.contract.working_calendar import (
    BUNDLED_CALENDARS,
    CalendarYears,
    OutsideCalendarError,
    WorkingCalendar,
    load_national_calendar,
)

COMMITTED = BUNDLED_CALENDARS / "indonesia.yaml"


def test_the_committed_calendar_is_what_the_generator_makes_of_the_library(
    tmp_path: Path,
) -> None:
    committed = load_national_calendar("indonesia")
    fresh = tmp_path / "indonesia.yaml"
    done = CliRunner().invoke(
        app, ["dev", "calendar", "--years", str(committed.years), "--output", str(fresh)]
    )
    assert done.exit_code == 0, done.output
    assert fresh.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        f"the calendar drifted from the library: run `pantau dev calendar --years "
        f"{committed.years}`, review the difference and commit it"
    )


def test_2026_has_17_national_holidays_and_8_joint_leave_days() -> None:
    calendar = load_national_calendar("indonesia")
    assert sum(d.date.year == 2026 for d in calendar.holidays) == 17
    assert sum(d.date.year == 2026 for d in calendar.joint_leave) == 8


def test_idul_fitri_2026_is_a_block_of_days_off() -> None:
    calendar = load_national_calendar("indonesia")
    holidays = {d.date for d in calendar.holidays}
    joint = {d.date for d in calendar.joint_leave}
    assert {date(2026, 3, 19), date(2026, 3, 21), date(2026, 3, 22)} <= holidays
    assert {date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)} <= joint


def test_a_year_without_joint_leave_is_refused() -> None:
    def no_decree_yet(year: int) -> tuple[dict[date, str], dict[date, str]]:
        return {date(year, 1, 1): "Tahun Baru Masehi"}, {}

    with pytest.raises(ValueError, match="2030: the library knows no joint leave days"):
        build_calendar(CalendarYears(first=2030, last=2030), no_decree_yet)


def test_the_command_names_the_year_it_refuses(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["dev", "calendar", "--years", "2026-2024", "--output", str(tmp_path / "x.yaml")]
    )
    assert done.exit_code != 0
    assert "--years" in done.output
    assert not (tmp_path / "x.yaml").exists()


def test_years_are_read_as_a_range_or_one_year() -> None:
    assert parse_years("2024-2027") == CalendarYears(first=2024, last=2027)
    assert parse_years("2026") == CalendarYears(first=2026, last=2026)
    with pytest.raises(ValueError, match="not a year"):
        parse_years("next year")


def test_a_date_outside_the_years_fails_loudly() -> None:
    calendar = WorkingCalendar(CalendarYears(first=2026, last=2026), frozenset())
    assert calendar.is_day_off(date(2026, 12, 31)) is False
    with pytest.raises(OutsideCalendarError, match=r"2027-01-01 is outside .*\(2026\)"):
        calendar.is_day_off(date(2027, 1, 1))
    with pytest.raises(OutsideCalendarError, match="--years 2025-2026"):
        calendar.is_day_off(date(2025, 12, 31))


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("2026-03-20", "2029-03-20"), "(document)"),  # outside the years
        (("country: ID", "country: Indonesia"), "country"),
        (("years: {first: 2024, last: 2027}", "years: {first: 2027, last: 2024}"), "years"),
        (("- {date: 2024-01-01, name: Tahun Baru Masehi}", "- {date: 2024-01-01}"),
         "holidays.0.name"),
    ],
)  # fmt: skip
def test_a_broken_calendar_file_names_the_field(
    tmp_path: Path, edit: tuple[str, str], field: str
) -> None:
    source = COMMITTED.read_text(encoding="utf-8")
    assert edit[0] in source
    with pytest.raises(ContractError) as raised:
        load_national_calendar(_write(tmp_path, source.replace(*edit)))
    assert raised.value.fields == [field]
    assert "calendar.yaml" in str(raised.value)
