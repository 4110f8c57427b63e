"""The profile's service_levels section: national defaults, overrides, and errors that
name the field."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from pantau.contract.city import load_city_profile
from pantau.contract.errors import ContractError
from pantau.contract.service_levels import (
    Deadline,
    OfficeHours,
    ServiceClass,
    ServiceLevels,
    Stage,
    Weekday,
)
from pantau.contract.working_calendar import CalendarYears, DatedDay, NationalCalendar

SOURCE = Path("pantau/contract/cities/mojokerto.yaml")

CALENDAR = NationalCalendar(
    country="ID",
    source="a test",
    years=CalendarYears(first=2026, last=2026),
    holidays=[DatedDay(date=date(2026, 8, 17), name="Hari Kemerdekaan")],
    joint_leave=[DatedDay(date=date(2026, 12, 24), name="Cuti Bersama Natal")],
)


def days(count: int) -> Deadline:
    return Deadline(working_days=count)


def hours(count: int) -> Deadline:
    return Deadline(working_hours=count)


def test_mojokerto_takes_the_national_rules() -> None:
    levels = load_city_profile("mojokerto").service_levels
    assert levels.deadline(Stage.FORWARDING, "sampah", "dlh") == days(3)
    assert levels.deadline(Stage.FIRST_ACTION, "sampah", "dlh") == days(5)
    by_category = {
        "informasi-publik": 5, "sampah": 5, "perizinan": 14, "jalan-rusak": 60,
    }  # fmt: skip
    for category, count in by_category.items():
        assert levels.deadline(Stage.RESOLUTION, category, "dlh") == days(count), category
    assert levels.office_hours == OfficeHours(
        days=[Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI],
        opens=time(8),
        closes=time(16),
    )
    assert levels.calendar.country == "ID"


def test_the_defaults_are_the_national_rules() -> None:
    levels = ServiceLevels(calendar=CALENDAR, classes={ServiceClass.DISPUTE: ["perizinan"]})
    assert (levels.forwarding, levels.first_action) == (days(3), days(5))
    resolution = levels.resolution
    assert [resolution.of(kind) for kind in ServiceClass] == [days(5), days(5), days(14), days(60)]
    assert levels.office_hours.weekdays == frozenset({0, 1, 2, 3, 4})


def test_a_category_override_wins_over_its_agency_and_the_agency_over_the_default() -> None:
    levels = ServiceLevels.model_validate(
        {
            "calendar": CALENDAR,
            "classes": {"simple": ["pohon-tumbang", "sampah"]},
            "overrides": {
                "categories": {"pohon-tumbang": {"resolution": {"working_hours": 8}}},
                "agencies": {"dlh": {"resolution": {"working_days": 2},
                                     "first_action": {"working_days": 1}}},
            },
        }
    )  # fmt: skip
    assert levels.deadline(Stage.RESOLUTION, "pohon-tumbang", "dlh") == hours(8)
    assert levels.deadline(Stage.RESOLUTION, "sampah", "dlh") == days(2)
    assert levels.deadline(Stage.RESOLUTION, "sampah", "dishub") == days(5)
    # The category overrides only resolution: its agency's first action still applies.
    assert levels.deadline(Stage.FIRST_ACTION, "pohon-tumbang", "dlh") == days(1)
    assert levels.deadline(Stage.FORWARDING, "pohon-tumbang", "dlh") == days(3)


def test_the_working_calendar_joins_the_national_days_and_the_citys_own() -> None:
    levels = ServiceLevels(
        calendar=CALENDAR,
        classes={},
        days_off=[DatedDay(date=date(2026, 6, 20), name="Hari Jadi Kota")],
    )
    assert levels.working_calendar.days_off == {
        date(2026, 8, 17), date(2026, 12, 24), date(2026, 6, 20),
    }  # fmt: skip


def edited(tmp_path: Path, old: str, new: str) -> str:
    source = SOURCE.read_text(encoding="utf-8")
    assert old in source, old
    path = tmp_path / "edited.yaml"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("forwarding: {working_days: 3}", "forwarding: {working_days: 3, working_hours: 8}",
         "service_levels.forwarding"),
        ("forwarding: {working_days: 3}", "forwarding: {working_days: 0}",
         "service_levels.forwarding.working_days"),
        ("first_action: {working_days: 5}", "first_action: {}", "service_levels.first_action"),
        ('closes: "16:00"', "closes: 16:00", "service_levels.office_hours.closes"),
        ('opens: "08:00"', 'opens: "17:00"', "service_levels.office_hours"),
        ("days: [mon, tue", "days: [monday, tue", "service_levels.office_hours.days.0"),
        ("dispute: {working_days: 14}", "disputes: {working_days: 14}",
         "service_levels.resolution.disputes"),
        ("    information: [informasi-publik]", "    urgent: [informasi-publik]",
         "service_levels.classes.urgent.[key]"),
        ("calendar: indonesia", "calendar: atlantis", "service_levels.calendar"),
        ("days_off: []", "days_off: [{date: 2031-01-02, name: Libur}]", "service_levels"),
        ("agencies: {}", "agencies: {dlh: {}}", "service_levels.overrides.agencies.dlh"),
        ("categories: {}", "categories: {sampah: {resolution: {working_weeks: 1}}}",
         "service_levels.overrides.categories.sampah.resolution.working_weeks"),
    ],
)  # fmt: skip
def test_a_broken_section_names_the_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(ContractError) as raised:
        load_city_profile(edited(tmp_path, old, new))
    assert raised.value.fields == [field]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[informasi-publik]", "[informasi-publik, ufo-sighting]",
         "service_levels.classes.information: unknown category ufo-sighting"),
        ("[informasi-publik]", "[]",
         "service_levels.classes: category informasi-publik is in no class"),
        ("[informasi-publik]", "[informasi-publik, sampah]",
         "classes: sampah in more than one class"),
        ("agencies: {}", "agencies: {dkp: {first_action: {working_days: 1}}}",
         "service_levels.overrides.agencies.dkp: unknown agency"),
        ("categories: {}", "categories: {ufo-sighting: {resolution: {working_days: 1}}}",
         "service_levels.overrides.categories.ufo-sighting: unknown category"),
        ("days_off: []", "days_off: [{date: 2031-01-02, name: Libur}]",
         "days_off.0: 2031-01-02 is outside the calendar's years (2024-2027)"),
        ("calendar: indonesia", "calendar: atlantis", "atlantis: no such file"),
    ],
)  # fmt: skip
def test_what_the_section_names_must_be_in_the_profile(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ContractError) as raised:
        load_city_profile(edited(tmp_path, old, new))
    assert message in str(raised.value)


def test_a_profile_without_the_section_is_refused(tmp_path: Path) -> None:
    source = SOURCE.read_text(encoding="utf-8")
    path = tmp_path / "bare.yaml"
    path.write_text(source[: source.index("service_levels:")], encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_city_profile(str(path))
    assert raised.value.fields == ["service_levels"]
