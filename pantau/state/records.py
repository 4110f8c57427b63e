"""Entity records: each a pure fold of that entity's events, whatever their order.

A record only ever grows by set union or keeps a maximum, so applying the same events
again, or in another order, gives the same record: duplicates and late events are
harmless by construction.

Records are frozen msgspec Structs: slotted, cheap to build and compare, and encoded to
their Redis form without an intermediate dict (see codec.py). They are not tracked by
the garbage collector (gc=False): a record holds strings, numbers and tuples of them, or
for an indicator a dict of such tuples, never anything that could lead back to it.

Each apply_* returns the very record it was given when the event changes nothing, and a
record that differs otherwise: callers may test `new is old`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from pantau.state.calendar import epoch_ms
from pantau.state.facts import ComplaintFacts, FoldEvent, IndicatorFacts, ProgramFacts

CLOSED = frozenset({"resolved", "rejected"})


class ComplaintRecord(Struct, frozen=True, gc=False, tag_field="k", tag="c"):
    complaint_id: str
    dimension: str
    category: str
    agency: str
    kecamatan: str
    kelurahan: str
    channel: str
    # (occurred_at ms, event_id, status), sorted and unique by event_id.
    steps: tuple[tuple[int, str, str], ...]

    @property
    def status(self) -> str:
        return self.steps[-1][2]

    @property
    def is_open(self) -> bool:
        return self.steps[-1][2] not in CLOSED

    @property
    def received_ms(self) -> int | None:
        return min((at for at, _, status in self.steps if status == "received"), default=None)

    @property
    def arrival_ms(self) -> int:
        """When it arrived: its "received" step, or the first step known so far."""
        received = self.received_ms
        return received if received is not None else self.steps[0][0]

    @property
    def closed_ms(self) -> int | None:
        return self.steps[-1][0] if not self.is_open else None


class ProgramRecord(Struct, frozen=True, gc=False, tag_field="k", tag="p"):
    program_id: str
    name: str
    dimension: str
    agency: str
    status: str
    realization_centi: int  # hundredths of a percent: integer sums stay exact
    year: int
    version: tuple[int, str]  # (occurred_at ms, event_id) of the event it reflects


class IndicatorRecord(Struct, frozen=True, gc=False, tag_field="k", tag="i"):
    indicator_id: str
    name: str
    dimension: str
    unit: str
    direction: str
    target: float | None
    # period -> (occurred_at ms, event_id, value); a later reading of a period corrects it.
    readings: dict[str, tuple[int, str, float]]
    version: tuple[int, str]


Record = ComplaintRecord | ProgramRecord | IndicatorRecord


def apply_complaint(record: ComplaintRecord | None, event: ComplaintFacts) -> ComplaintRecord:
    event_id = event.event_id
    step = (epoch_ms(event.occurred_at), event_id, event.status._value_)
    if record is not None:
        steps = record.steps
        for existing in steps:
            if existing[1] == event_id:
                return record
        if step < steps[-1]:
            # A late step: its place is among the others, and the newest still decides
            # where the complaint belongs.
            return ComplaintRecord(
                record.complaint_id, record.dimension, record.category, record.agency,
                record.kecamatan, record.kelurahan, record.channel, tuple(sorted((*steps, step))),
            )  # fmt: skip
        steps += (step,)  # the newest step, the common case: appended, no sort
        complaint_id = record.complaint_id
    else:
        steps, complaint_id = (step,), event.complaint_id
    # The newest step decides where the complaint now belongs (it may be re-routed).
    return ComplaintRecord(
        complaint_id, event.dimension._value_, event.category, event.agency, event.kecamatan,
        event.kelurahan, event.channel._value_, steps,
    )  # fmt: skip


def apply_program(record: ProgramRecord | None, event: ProgramFacts) -> ProgramRecord:
    version = (epoch_ms(event.occurred_at), event.event_id)
    if record is not None and record.version >= version:
        return record
    return ProgramRecord(
        event.program_id, event.name, event.dimension._value_, event.agency,
        event.status._value_, round(event.realization_pct * 100), event.year, version,
    )  # fmt: skip


def apply_indicator(record: IndicatorRecord | None, event: IndicatorFacts) -> IndicatorRecord:
    at, event_id = epoch_ms(event.occurred_at), event.event_id
    version = (at, event_id)
    readings = record.readings if record is not None else {}
    current = readings.get(event.period)
    if current is None or current[:2] < version:
        # Copied: a record never changes once built.
        readings = {**readings, event.period: (at, event_id, event.value)}
    if record is not None and record.version >= version:
        return record if readings is record.readings else replace(record, readings=readings)
    # The newest event overall names the indicator (its unit, target, direction).
    return IndicatorRecord(
        event.indicator_id, event.name, event.dimension._value_, event.unit,
        event.direction._value_, event.target, readings, version,
    )  # fmt: skip


Fold = Callable[[Any, Any], Record]
# By the event's kind: the same for pydantic events and for any other decoded form.
FOLDS: dict[str, Fold] = {
    "complaint": apply_complaint,
    "program": apply_program,
    "indicator": apply_indicator,
}


def apply_event(record: Record | None, event: FoldEvent) -> Record:
    return FOLDS[event.kind](record, event)
