"""Service levels: how much working time each stage of a complaint may take, as the city
profile's `service_levels` section sets them, and the working week they are counted in.

The defaults are the national rules: SP4N-LAPOR gives the desk 3 working days to verify a
report and forward it to the agency, and the agency 5 working days to follow it up; the
ministry's service standard sets the time to resolve by the kind of complaint (its
service class). Another city changes them in its profile, not here.
"""

from __future__ import annotations

from collections import Counter
from datetime import time
from enum import StrEnum
from functools import cached_property
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pantau.contract.errors import ContractError
from pantau.contract.events import Slug
from pantau.contract.working_calendar import (
    DatedDay,
    NationalCalendar,
    WorkingCalendar,
    load_national_calendar,
)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Stage(StrEnum):
    FORWARDING = "forwarding"  # received -> dispatched, verification included: the desk's
    FIRST_ACTION = "first_action"  # dispatched -> in_progress: the agency's
    RESOLUTION = "resolution"  # received (or reopened) -> resolved or rejected


class ServiceClass(StrEnum):
    """The kind of complaint, which picks its resolution deadline."""

    INFORMATION = "information"
    SIMPLE = "simple"
    DISPUTE = "dispute"  # needs no check in the field
    FIELD_CHECK = "field_check"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """As date.weekday() counts: Monday is 0."""
        return list(Weekday).index(self)


class Deadline(_Strict):
    """Exactly one of: whole working days, or working hours within office hours."""

    working_days: int | None = Field(default=None, ge=1, le=366)
    working_hours: int | None = Field(default=None, ge=1, le=8784)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.working_days is None) == (self.working_hours is None):
            raise ValueError("give exactly one of working_days or working_hours")
        return self


def _days(count: int) -> Deadline:
    return Deadline(working_days=count)


class OfficeHours(_Strict):
    """The days and wall-clock hours (city time) the desk and the agencies work."""

    days: list[Weekday] = Field(
        default=[Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI], min_length=1
    )
    opens: time = time(8)
    closes: time = time(16)

    @field_validator("opens", "closes", mode="before")
    @classmethod
    def _quoted_time(cls, value: Any) -> Any:
        # YAML reads an unquoted 16:00 as the base-60 number 960, which pydantic would
        # take for 00:16: insist on the text.
        if not isinstance(value, str | time):
            raise ValueError('write the time as text in quotes, e.g. "16:00"')
        return value

    @model_validator(mode="after")
    def _sensible(self) -> Self:
        if self.opens >= self.closes:
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")
        if len(set(self.days)) != len(self.days):
            raise ValueError("days: a day is named twice")
        return self

    @cached_property
    def weekdays(self) -> frozenset[int]:
        return frozenset(day.number for day in self.days)


class ResolutionDeadlines(_Strict):
    """Time to resolve, per service class (the ministry's service standard)."""

    information: Deadline = _days(5)
    simple: Deadline = _days(5)
    dispute: Deadline = _days(14)
    field_check: Deadline = _days(60)

    def of(self, service_class: ServiceClass) -> Deadline:
        deadline: Deadline = getattr(self, service_class.value)
        return deadline


class StageOverrides(_Strict):
    forwarding: Deadline | None = None
    first_action: Deadline | None = None
    resolution: Deadline | None = None

    @model_validator(mode="after")
    def _names_a_stage(self) -> Self:
        if self.forwarding is None and self.first_action is None and self.resolution is None:
            raise ValueError("names no stage: give forwarding, first_action or resolution")
        return self

    def of(self, stage: Stage) -> Deadline | None:
        deadline: Deadline | None = getattr(self, stage.value)
        return deadline


class Overrides(_Strict):
    """Deadlines that differ for one category or one agency; a category's wins."""

    categories: dict[Slug, StageOverrides] = Field(default_factory=dict)
    agencies: dict[Slug, StageOverrides] = Field(default_factory=dict)


class ServiceLevels(_Strict):
    # A bundled calendar's name ("indonesia") or a path; read when the profile is loaded.
    calendar: NationalCalendar
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    days_off: list[DatedDay] = Field(default_factory=list)  # the city's own
    forwarding: Deadline = _days(3)
    first_action: Deadline = _days(5)
    resolution: ResolutionDeadlines = Field(default_factory=ResolutionDeadlines)
    # Each of the city's complaint categories, in exactly one class.
    classes: dict[ServiceClass, list[Slug]]
    overrides: Overrides = Field(default_factory=Overrides)

    @field_validator("calendar", mode="before")
    @classmethod
    def _load_calendar(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return load_national_calendar(value)
        except ContractError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        listed = Counter(c for categories in self.classes.values() for c in categories)
        repeated = sorted(category for category, count in listed.items() if count > 1)
        if repeated:
            raise ValueError(f"classes: {', '.join(repeated)} in more than one class")
        years = self.calendar.years
        for index, day in enumerate(self.days_off):
            if day.date not in years:
                raise ValueError(
                    f"days_off.{index}: {day.date} is outside the calendar's years ({years})"
                )
        return self

    @cached_property
    def working_calendar(self) -> WorkingCalendar:
        """The national days off and the city's own, within the calendar's years."""
        days_off = (*self.calendar.holidays, *self.calendar.joint_leave, *self.days_off)
        return WorkingCalendar(self.calendar.years, frozenset(d.date for d in days_off))

    @cached_property
    def class_of_category(self) -> dict[str, ServiceClass]:
        return {c: kind for kind, categories in self.classes.items() for c in categories}

    def deadline(self, stage: Stage, category: str, agency: str) -> Deadline:
        """A stage's deadline for a complaint: the category's override, else the agency's,
        else the stage's own (for resolution, its service class's)."""
        for overrides in (self.overrides.categories.get(category),
                          self.overrides.agencies.get(agency)):  # fmt: skip
            found = None if overrides is None else overrides.of(stage)
            if found is not None:
                return found
        if stage is Stage.FORWARDING:
            return self.forwarding
        if stage is Stage.FIRST_ACTION:
            return self.first_action
        service_class = self.class_of_category.get(category)
        if service_class is None:
            raise LookupError(f"category {category!r} is in no service class of the profile")
        return self.resolution.of(service_class)

    def problems_with(self, categories: frozenset[str], agencies: frozenset[str]) -> list[str]:
        """What this section names that the profile does not know, or leaves out."""
        problems = []
        for kind, listed in self.classes.items():
            for category in listed:
                if category not in categories:
                    problems.append(f"service_levels.classes.{kind}: unknown category {category}")
        for category in sorted(categories - self.class_of_category.keys()):
            problems.append(f"service_levels.classes: category {category} is in no class")
        for category in self.overrides.categories:
            if category not in categories:
                problems.append(f"service_levels.overrides.categories.{category}: unknown category")
        for agency in self.overrides.agencies:
            if agency not in agencies:
                problems.append(f"service_levels.overrides.agencies.{agency}: unknown agency")
        return problems
