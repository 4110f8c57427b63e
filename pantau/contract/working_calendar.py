"""The working calendar's dated days off: a country's holidays and joint leave days, kept
as a committed data file per country, and a city's own days off on top.

The national file is generated from the `holidays` library by `pantau dev calendar`
(pantau/contract/calendar_generator.py), reviewed and committed. The runtime reads only
the file, never the library: a replay next year then computes the deadlines the stream
computed this year, whatever the library has learnt since.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pantau.contract.errors import ContractError, FieldProblem

BUNDLED_CALENDARS = Path(__file__).with_name("calendars")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatedDay(_Strict):
    date: date
    name: str = Field(min_length=1, max_length=200)


class CalendarYears(_Strict):
    first: int = Field(ge=2000, le=2100)
    last: int = Field(ge=2000, le=2100)

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.first > self.last:
            raise ValueError(f"first ({self.first}) is after last ({self.last})")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day.year <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


class NationalCalendar(_Strict):
    """A country's dated days off for whole years, as the committed file holds them."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    # What generated it (library and version), so a reviewer knows what to compare with.
    source: str = Field(min_length=1)
    years: CalendarYears
    holidays: list[DatedDay]
    joint_leave: list[DatedDay]

    @model_validator(mode="after")
    def _within_years_and_unique(self) -> Self:
        for section in ("holidays", "joint_leave"):
            days: list[DatedDay] = getattr(self, section)
            outside = [d.date.isoformat() for d in days if d.date not in self.years]
            if outside:
                raise ValueError(f"{section}: {', '.join(outside)} outside years {self.years}")
            repeated = [d.isoformat() for d, n in Counter(d.date for d in days).items() if n > 1]
            if repeated:
                raise ValueError(f"{section}: repeated dates {', '.join(repeated)}")
        return self


class OutsideCalendarError(LookupError):
    """A date the committed calendar does not cover.

    Raised rather than guessed: treating an unknown year as weekends only would give
    deadlines that change once the year's holidays are committed, so a replay would
    disagree with what the stream showed. The fix is data: regenerate the calendar with
    the year (once its joint leave days are decreed) and commit it.
    """

    def __init__(self, day: date, years: CalendarYears) -> None:
        self.day = day
        wanted = f"{min(years.first, day.year)}-{max(years.last, day.year)}"
        super().__init__(
            f"{day.isoformat()} is outside the working calendar's years ({years}): add its "
            f"year with `pantau dev calendar --years {wanted}` and commit it"
        )


@dataclass(frozen=True)
class WorkingCalendar:
    """The dated days off of one city within the years its calendar covers."""

    years: CalendarYears
    days_off: frozenset[date]

    def is_day_off(self, day: date) -> bool:
        if day not in self.years:
            raise OutsideCalendarError(day, self.years)
        return day in self.days_off


def calendar_path(reference: str) -> Path:
    """A bundled calendar's name ("indonesia") or a path to a YAML file."""
    bundled = BUNDLED_CALENDARS / f"{reference}.yaml"
    return bundled if bundled.is_file() else Path(reference)


def load_national_calendar(reference: str) -> NationalCalendar:
    """Load and check a calendar file; errors name the file and the field."""
    path = calendar_path(reference)
    subject = f"calendar {path}"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractError([FieldProblem(str(path), "no such file")], subject=subject) from None
    except yaml.YAMLError as error:
        problem = FieldProblem(str(path), f"not valid YAML: {error}")
        raise ContractError([problem], subject=subject) from None
    try:
        return NationalCalendar.model_validate(document)
    except ValidationError as error:
        raise ContractError.from_validation(error, subject=subject) from None
