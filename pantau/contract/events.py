"""The event contract: one envelope, three kinds, validated at the edge and in the agents.

Every event is a frozen pydantic model; `parse_event` is the single way bytes become an
event, and `encode_event` the single way back. JSON Schemas exported from these models
(`pantau schema export`) let systems no one here wrote produce events.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from pantau.contract.dimensions import Dimension
from pantau.contract.errors import ContractError
from pantau.contract.kinds import EventKind as EventKind

SCHEMA_VERSION: Literal[1] = 1

# Identifiers travel as Kafka keys and Redis key parts: keep them short and free of
# separators that would need escaping. Ids Pantau derives itself fit through pantau/contract/ids.py.
IDENTIFIER_MAX_LENGTH = 64
Identifier = Annotated[
    str,
    Field(min_length=1, max_length=IDENTIFIER_MAX_LENGTH, pattern=r"^[A-Za-z0-9][\w.:-]*$"),
]
# Profile keys (categories, agencies, areas) are lowercase slugs.
Slug = Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Label = Annotated[str, Field(min_length=1, max_length=200)]


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    REOPENED = "reopened"


class Channel(StrEnum):
    WEB = "web"
    WHATSAPP = "whatsapp"
    PHONE = "phone"
    SMS = "sms"
    WALK_IN = "walk_in"
    SOCIAL_MEDIA = "social_media"


class ProgramStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class Envelope(BaseModel):
    """Fields every event carries. `event_id` is the dedupe key."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    event_id: Identifier
    schema_version: Literal[1] = SCHEMA_VERSION
    occurred_at: AwareDatetime = Field(description="Event time; decides windows and days.")
    produced_at: AwareDatetime = Field(description="When the producer published it.")
    source: Identifier = Field(description="The producing system, e.g. intake or importer.")


class ComplaintEvent(Envelope):
    """One status step of a citizen complaint; the latest status decides if it is open."""

    kind: Literal["complaint"] = "complaint"
    complaint_id: Identifier
    status: ComplaintStatus
    channel: Channel
    category: Slug
    dimension: Dimension
    agency: Slug
    kecamatan: Slug
    kelurahan: Slug
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    description: str | None = Field(
        default=None,
        max_length=2000,
        description="Personal data: never copied into metrics, logs or alerts.",
    )

    @property
    def entity_id(self) -> str:
        """The Kafka key: all events of one entity land, in order, in one partition."""
        return self.complaint_id

    @model_validator(mode="after")
    def _coordinates_come_in_pairs(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class ProgramEvent(Envelope):
    """The state of one Smart City program and its realization."""

    kind: Literal["program"] = "program"
    program_id: Identifier
    name: Label
    dimension: Dimension
    agency: Slug
    status: ProgramStatus
    realization_pct: float = Field(ge=0, le=100)
    year: int = Field(ge=2000, le=2100)

    @property
    def entity_id(self) -> str:
        return self.program_id


class IndicatorEvent(Envelope):
    """One measured value of an outcome indicator.

    `data_source` is the measuring system (e.g. E-PPBGM); the envelope's `source` is the
    system that published the event, so the two cannot share a name.
    """

    kind: Literal["indicator"] = "indicator"
    indicator_id: Slug
    name: Label
    dimension: Dimension
    value: float
    unit: Annotated[str, Field(min_length=1, max_length=32)]
    period: Annotated[
        str,
        Field(
            pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-Q[1-4]|-S[12])?$",
            description="Reporting period: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn or YYYY-Sn.",
        ),
    ]
    target: float | None = None
    direction: Direction
    data_source: Label

    @property
    def entity_id(self) -> str:
        return self.indicator_id


AnyEvent = ComplaintEvent | ProgramEvent | IndicatorEvent
Event = Annotated[AnyEvent, Field(discriminator="kind")]
EVENT_MODELS: dict[EventKind, type[AnyEvent]] = {
    EventKind.COMPLAINT: ComplaintEvent,
    EventKind.PROGRAM: ProgramEvent,
    EventKind.INDICATOR: IndicatorEvent,
}
_EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(Event)


def parse_event(raw: bytes | str) -> AnyEvent:
    """Decode and validate one event from JSON, or raise ContractError naming each field."""
    try:
        return _EVENT_ADAPTER.validate_json(raw)
    except ValidationError as error:
        raise ContractError.from_validation(error) from None


def event_from_mapping(data: object) -> AnyEvent:
    """Validate an already decoded document (a CSV row, a form) as an event."""
    try:
        return _EVENT_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise ContractError.from_validation(error) from None


def encode_event(event: AnyEvent) -> bytes:
    """The wire form: compact JSON, the same bytes for the same event."""
    return event.model_dump_json().encode()
