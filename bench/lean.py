"""Events as a leaner decoder would give them: msgspec Structs with the contract's field
names, StrEnum members for its enums, fixed-offset datetimes and an `entity_id`. What
bench/folds.py --lean folds, to show the folds' cost without pydantic's attribute access.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from pantau.contract.dimensions import Dimension
from pantau.contract.events import Channel, ComplaintStatus, Direction, ProgramStatus


class LeanComplaint(msgspec.Struct, frozen=True):
    kind: str
    event_id: str
    occurred_at: datetime
    complaint_id: str
    status: ComplaintStatus
    channel: Channel
    category: str
    dimension: Dimension
    agency: str
    kecamatan: str
    kelurahan: str

    @property
    def entity_id(self) -> str:
        return self.complaint_id


class LeanProgram(msgspec.Struct, frozen=True):
    kind: str
    event_id: str
    occurred_at: datetime
    program_id: str
    name: str
    dimension: Dimension
    agency: str
    status: ProgramStatus
    realization_pct: float
    year: int

    @property
    def entity_id(self) -> str:
        return self.program_id


class LeanIndicator(msgspec.Struct, frozen=True):
    kind: str
    event_id: str
    occurred_at: datetime
    indicator_id: str
    name: str
    dimension: Dimension
    value: float
    unit: str
    period: str
    direction: Direction
    target: float | None = None

    @property
    def entity_id(self) -> str:
        return self.indicator_id


LeanEvent = LeanComplaint | LeanProgram | LeanIndicator
_DECODERS: dict[str, msgspec.json.Decoder[LeanEvent]] = {
    "complaint": msgspec.json.Decoder(LeanComplaint),
    "program": msgspec.json.Decoder(LeanProgram),
    "indicator": msgspec.json.Decoder(LeanIndicator),
}


def decode_lean(raw: bytes, kind: str) -> LeanEvent:
    """`raw`, a valid event of `kind` (already checked by the contract), as a Struct."""
    return _DECODERS[kind].decode(raw)
