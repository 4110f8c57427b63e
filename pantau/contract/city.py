"""The city profile: a data file that names a city's dimensions, areas, agencies,
complaint categories and indicators, its service levels (service_levels.py), and the
checks an event must pass against it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pantau.contract.dimensions import Dimension
from pantau.contract.errors import ContractError, FieldProblem
from pantau.contract.escalation import EscalationPolicy
from pantau.contract.events import (
    AnyEvent,
    ComplaintEvent,
    Direction,
    IndicatorEvent,
    Label,
    ProgramEvent,
    Slug,
)
from pantau.contract.service_levels import ServiceLevels

BUNDLED_PROFILES = Path(__file__).with_name("cities")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Place(_Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class CityInfo(_Strict):
    key: Slug
    name: Label
    province: Label
    timezone: str
    # The first part of every complaint id the city's own producers make up (intake,
    # simulator): "MJK" gives MJK-20261127-3f9a0c1d.
    complaint_prefix: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,7}$")
    # Where the simulator drops its complaints' pins (within ~2 km): the city hall.
    centre: Place

    def new_complaint_id(self, day: date, serial: str) -> str:
        return f"{self.complaint_prefix}-{day:%Y%m%d}-{serial}"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class DimensionProfile(_Strict):
    key: Dimension
    label_id: Label
    label_en: Label
    headline_indicator: Slug


# A tile map wider or taller than this would not be readable on a wall screen.
MAP_CELLS_PER_SIDE = 40


class Tile(_Strict):
    """A kelurahan's square on the wall's tile map: a cell of a grid set by hand from the
    city's geography, row 0 at the north and column 0 at the west."""

    row: int = Field(ge=0, lt=MAP_CELLS_PER_SIDE)
    col: int = Field(ge=0, lt=MAP_CELLS_PER_SIDE)


class Kelurahan(_Strict):
    key: Slug
    name: Label
    tile: Tile


class Kecamatan(_Strict):
    key: Slug
    name: Label
    kelurahan: list[Kelurahan]


class Agency(_Strict):
    key: Slug
    name: Label
    kind: Literal["opd", "partner"]


class Category(_Strict):
    key: Slug
    dimension: Dimension
    agency: Slug
    label_id: Label
    label_en: Label


class IndicatorProfile(_Strict):
    key: Slug
    dimension: Dimension
    name_id: Label
    name_en: Label
    unit: str
    direction: Direction
    target: float
    data_source: Label


class SpikeDetection(_Strict):
    """How complaint spikes are judged in this city (see pantau/detection/spike.py)."""

    windows_minutes: list[int] = Field(default=[5, 10, 15], min_length=1)
    min_count: int = Field(default=6, ge=1)
    fire_below: float = Field(default=1e-6, gt=0, lt=1)
    resolve_above: float = Field(default=0.05, gt=0, lt=1)
    resolve_after_minutes: int = Field(default=30, ge=1)
    history_weeks: int = Field(default=4, ge=1, le=12)
    # The Poisson CUSUM beside the windows (pantau/detection/cusum.py): the surge it is
    # tuned to, as a multiple of the baseline, and the evidence (nats) that fires it.
    cusum: bool = True
    cusum_shift: float = Field(default=2.0, gt=1, le=20)
    cusum_threshold: float = Field(default=10.0, gt=0, le=100)
    cusum_resolve_margin: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _margin_below_threshold(self) -> Self:
        if self.cusum_resolve_margin >= self.cusum_threshold:
            raise ValueError(
                f"cusum_resolve_margin ({self.cusum_resolve_margin}) must be below "
                f"cusum_threshold ({self.cusum_threshold}): an alert could never resolve"
            )
        return self


class Witnessing(_Strict):
    """Who co-signs the verifiable log's checkpoints: each witness's public key in the
    signed-note form (`<name>+<key id>+<base64>`, a cosignature key, as `pantau audit
    keygen --witness` writes it), and how many must co-sign a checkpoint before it counts
    as witnessed (proofs are given against the latest witnessed one)."""

    witnesses: list[str] = Field(default_factory=list)
    quorum: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.quorum > len(self.witnesses):
            raise ValueError(
                f"quorum {self.quorum} is more than the {len(self.witnesses)} witnesses listed"
            )
        for number, key in enumerate(self.witnesses, start=1):
            name, _, rest = key.partition("+")
            key_id, _, public = rest.partition("+")
            if not name or len(key_id) != 8 or not public:
                raise ValueError(f"witness {number} is not <name>+<key id>+<base64 key>")
        return self


class CityProfile(_Strict):
    city: CityInfo
    dimensions: list[DimensionProfile]
    kecamatan: list[Kecamatan]
    agencies: list[Agency]
    categories: list[Category]
    indicators: list[IndicatorProfile]
    spike_detection: SpikeDetection = Field(default_factory=SpikeDetection)
    escalation: EscalationPolicy = Field(default_factory=EscalationPolicy)
    service_levels: ServiceLevels
    witnessing: Witnessing = Field(default_factory=Witnessing)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        missing = set(Dimension) - {d.key for d in self.dimensions}
        if missing:
            raise ValueError(f"dimensions missing: {', '.join(sorted(missing))}")
        _require_unique("dimensions", (d.key for d in self.dimensions))
        _require_unique("kecamatan", (k.key for k in self.kecamatan))
        _require_unique("kelurahan", (kel.key for k in self.kecamatan for kel in k.kelurahan))
        _require_own_tiles(self.kecamatan)
        _require_unique("agencies", (a.key for a in self.agencies))
        _require_unique("categories", (c.key for c in self.categories))
        _require_unique("indicators", (i.key for i in self.indicators))
        agencies = {a.key for a in self.agencies}
        for category in self.categories:
            if category.agency not in agencies:
                raise ValueError(f"category {category.key}: unknown agency {category.agency!r}")
        categories = frozenset(c.key for c in self.categories)
        problems = self.service_levels.problems_with(categories, frozenset(agencies))
        if problems:
            raise ValueError("; ".join(problems))
        indicators = {i.key: i for i in self.indicators}
        for dimension in self.dimensions:
            headline = indicators.get(dimension.headline_indicator)
            if headline is None or headline.dimension != dimension.key:
                raise ValueError(
                    f"dimension {dimension.key}: headline indicator "
                    f"{dimension.headline_indicator!r} is not one of its indicators"
                )
        return self

    @cached_property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.city.timezone)

    @cached_property
    def category_by_key(self) -> dict[str, Category]:
        return {c.key: c for c in self.categories}

    @cached_property
    def agency_keys(self) -> frozenset[str]:
        return frozenset(a.key for a in self.agencies)

    @cached_property
    def kelurahan_names(self) -> dict[str, str]:
        return {kel.key: kel.name for kec in self.kecamatan for kel in kec.kelurahan}

    @cached_property
    def agency_names(self) -> dict[str, str]:
        return {a.key: a.name for a in self.agencies}

    @cached_property
    def kecamatan_of_kelurahan(self) -> dict[str, str]:
        return {kel.key: kec.key for kec in self.kecamatan for kel in kec.kelurahan}

    def address_of(self, kelurahan: str) -> str:
        """A kelurahan as people write it: "Kel. Wates, Kec. Magersari"."""
        for kecamatan in self.kecamatan:
            for entry in kecamatan.kelurahan:
                if entry.key == kelurahan:
                    return f"Kel. {entry.name}, Kec. {kecamatan.name}"
        return kelurahan

    @cached_property
    def indicator_by_key(self) -> dict[str, IndicatorProfile]:
        return {i.key: i for i in self.indicators}

    # The two sets below answer, in one lookup, what problems_with checks field by field
    # (for the worker's fast path, pantau/state/fastpath.py).
    @cached_property
    def complaint_places(self) -> frozenset[tuple[str, Dimension, str, str]]:
        """Every (category, dimension, kecamatan, kelurahan) a complaint may name."""
        return frozenset(
            (category.key, category.dimension, kecamatan, kelurahan)
            for category in self.categories
            for kelurahan, kecamatan in self.kecamatan_of_kelurahan.items()
        )

    @cached_property
    def indicator_dimensions(self) -> frozenset[tuple[str, Dimension]]:
        """Every (indicator, dimension) an indicator event may name."""
        return frozenset((i.key, i.dimension) for i in self.indicators)

    def problems_with(self, event: AnyEvent) -> list[FieldProblem]:
        """What in a schema-valid event this city does not know, field by field."""
        if isinstance(event, ComplaintEvent):
            return self._complaint_problems(event)
        if isinstance(event, ProgramEvent):
            return self._agency_problems(event.agency)
        return self._indicator_problems(event)

    def check(self, event: AnyEvent) -> AnyEvent:
        """Return the event if this city knows everything it names, else raise."""
        problems = self.problems_with(event)
        if problems:
            raise ContractError(problems)
        return event

    def _complaint_problems(self, event: ComplaintEvent) -> list[FieldProblem]:
        problems = self._agency_problems(event.agency)
        category = self.category_by_key.get(event.category)
        if category is None:
            problems.append(FieldProblem("category", "not a category of this city"))
        elif category.dimension != event.dimension:
            problems.append(
                FieldProblem("dimension", f"category {category.key} is {category.dimension}")
            )
        kecamatan = self.kecamatan_of_kelurahan.get(event.kelurahan)
        if kecamatan is None:
            problems.append(FieldProblem("kelurahan", "not a kelurahan of this city"))
        elif kecamatan != event.kecamatan:
            problems.append(
                FieldProblem("kecamatan", f"kelurahan {event.kelurahan} is in {kecamatan}")
            )
        return problems

    def _agency_problems(self, agency: str) -> list[FieldProblem]:
        if agency in self.agency_keys:
            return []
        return [FieldProblem("agency", "not an agency of this city")]

    def _indicator_problems(self, event: IndicatorEvent) -> list[FieldProblem]:
        known = self.indicator_by_key.get(event.indicator_id)
        if known is None:
            return [FieldProblem("indicator_id", "not an indicator of this city")]
        if known.dimension != event.dimension:
            return [FieldProblem("dimension", f"indicator {known.key} is {known.dimension}")]
        return []


def _require_unique(section: str, keys: Iterable[str]) -> None:
    repeated = sorted(key for key, count in Counter(keys).items() if count > 1)
    if repeated:
        raise ValueError(f"{section}: repeated keys {', '.join(repeated)}")


def _require_own_tiles(kecamatan: list[Kecamatan]) -> None:
    placed: dict[Tile, str] = {}
    for kelurahan in (kel for k in kecamatan for kel in k.kelurahan):
        taken = placed.setdefault(kelurahan.tile, kelurahan.key)
        if taken != kelurahan.key:
            raise ValueError(
                f"kelurahan {taken} and {kelurahan.key} are both on the map's tile at row "
                f"{kelurahan.tile.row}, column {kelurahan.tile.col}: give each a tile of its own"
            )


def profile_path(reference: str) -> Path:
    """A bundled profile's name ("mojokerto") or a path to a YAML file."""
    bundled = BUNDLED_PROFILES / f"{reference}.yaml"
    return bundled if bundled.is_file() else Path(reference)


def load_city_profile(reference: str) -> CityProfile:
    """Load and check a city profile; errors name the file and the line or field."""
    path = profile_path(reference)
    subject = f"city profile {path}"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractError([FieldProblem(str(path), "no such file")], subject=subject) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(unknown line)"
        reason = error.problem or "not valid YAML"
        raise ContractError([FieldProblem(where, reason)], subject=subject) from None
    try:
        return CityProfile.model_validate(document)
    except ValidationError as error:
        raise ContractError.from_validation(error, subject=subject) from None
