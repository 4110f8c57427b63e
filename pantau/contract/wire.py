"""The three event kinds as msgspec Structs: what the worker decodes Kafka messages into.

The pydantic models in events.py stay the contract's authority (validation, error texts,
JSON Schema). These Structs mirror them field for field: the same names, order, types,
defaults, length limits and bounds, aware datetimes, and the very same StrEnum classes,
so `.value` and `==` behave alike on both (tests/unit/contract/test_wire.py holds the
two to it). Building a Struct costs a fraction of building a model, which is why the
hot path uses them.

Text patterns (identifiers, slugs, periods) are deliberately not declared here: msgspec
would apply them with Python's `re`, whose `\\w` and `$` differ from pydantic-core's
regex engine. The decoder checks them itself (pantau/state/fastpath.py) or leaves the
message to pydantic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

import msgspec

from pantau.contract.dimensions import Dimension
from pantau.contract.events import (
    SCHEMA_VERSION,
    AnyEvent,
    Channel,
    ComplaintStatus,
    Direction,
    EventKind,
    ProgramStatus,
)

Identifier = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=48)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


# gc=False: a Struct holds only strings, numbers, enums and datetimes, never a cycle, so
# the garbage collector need not track the many thousands a batch creates.
class WireEnvelope(
    msgspec.Struct,
    frozen=True,
    forbid_unknown_fields=True,
    kw_only=True,
    tag_field="kind",
    gc=False,
):
    """Fields every event carries (see events.Envelope)."""

    event_id: Identifier
    schema_version: Literal[1] = SCHEMA_VERSION
    occurred_at: Aware
    produced_at: Aware
    source: Identifier


class WireComplaint(WireEnvelope, tag="complaint", frozen=True, kw_only=True):
    """events.ComplaintEvent as a Struct."""

    # The tag is not a field of a tagged Struct: the class attribute gives the folds the
    # same `event.kind` the models have.
    kind: ClassVar[Literal["complaint"]] = "complaint"
    complaint_id: Identifier
    status: ComplaintStatus
    channel: Channel
    category: Slug
    dimension: Dimension
    agency: Slug
    kecamatan: Slug
    kelurahan: Slug
    lat: Latitude | None = None
    lon: Longitude | None = None
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None

    @property
    def entity_id(self) -> str:
        return self.complaint_id


class WireProgram(WireEnvelope, tag="program", frozen=True, kw_only=True):
    """events.ProgramEvent as a Struct."""

    kind: ClassVar[Literal["program"]] = "program"
    program_id: Identifier
    name: Label
    dimension: Dimension
    agency: Slug
    status: ProgramStatus
    realization_pct: Annotated[float, msgspec.Meta(ge=0, le=100)]
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]

    @property
    def entity_id(self) -> str:
        return self.program_id


class WireIndicator(WireEnvelope, tag="indicator", frozen=True, kw_only=True):
    """events.IndicatorEvent as a Struct."""

    kind: ClassVar[Literal["indicator"]] = "indicator"
    indicator_id: Slug
    name: Label
    dimension: Dimension
    value: float
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    period: str
    target: float | None = None
    direction: Direction
    data_source: Label

    @property
    def entity_id(self) -> str:
        return self.indicator_id


WireEvent = WireComplaint | WireProgram | WireIndicator
# An event in either form: a pydantic model (producers, imports, tests) or a Struct (the
# worker's decoder). Code that reads only attributes and `kind` takes both.
EitherEvent = AnyEvent | WireEvent
WIRE_STRUCTS: dict[EventKind, type[WireEvent]] = {
    EventKind.COMPLAINT: WireComplaint,
    EventKind.PROGRAM: WireProgram,
    EventKind.INDICATOR: WireIndicator,
}


def wire_from_model(event: AnyEvent) -> WireEvent:
    """The Struct holding exactly the values pydantic validated (no check runs again)."""
    struct = WIRE_STRUCTS[EventKind(event.kind)]
    values = {name: getattr(event, name) for name in struct.__struct_fields__}
    return struct(**values)
