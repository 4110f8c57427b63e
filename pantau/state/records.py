"""Entity records: each a pure fold of that entity's events, whatever their order.

A record only ever grows by set union or keeps a maximum, so applying the same events
again, or in another order, gives the same record: duplicates and late events are
harmless by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from pantau.contract.events import (
    AnyEvent,
    ComplaintEvent,
    ComplaintStatus,
    IndicatorEvent,
    ProgramEvent,
)

CLOSED = frozenset({ComplaintStatus.RESOLVED.value, ComplaintStatus.REJECTED.value})


def _ms(event: AnyEvent) -> int:
    return int(event.occurred_at.timestamp() * 1000)


@dataclass(frozen=True)
class ComplaintRecord:
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
        return self.status not in CLOSED

    @cached_property  # a record never changes: compute its received time once
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


@dataclass(frozen=True)
class ProgramRecord:
    program_id: str
    name: str
    dimension: str
    agency: str
    status: str
    realization_centi: int  # hundredths of a percent: integer sums stay exact
    year: int
    version: tuple[int, str]  # (occurred_at ms, event_id) of the event it reflects


@dataclass(frozen=True)
class IndicatorRecord:
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


def apply_complaint(record: ComplaintRecord | None, event: ComplaintEvent) -> ComplaintRecord:
    step = (_ms(event), event.event_id, event.status.value)
    if record is None:
        return ComplaintRecord(complaint_id=event.complaint_id, steps=(step,), **_placement(event))
    if any(existing[1] == event.event_id for existing in record.steps):
        return record
    steps = tuple(sorted((*record.steps, step)))
    if steps[-1] != step:
        return replace(record, steps=steps)
    # The newest step decides where the complaint now belongs (it may be re-routed).
    return replace(record, steps=steps, **_placement(event))


def _placement(event: ComplaintEvent) -> dict[str, str]:
    """Where a complaint belongs: its dimension, category, agency, area and channel."""
    return {
        "dimension": event.dimension.value,
        "category": event.category,
        "agency": event.agency,
        "kecamatan": event.kecamatan,
        "kelurahan": event.kelurahan,
        "channel": event.channel.value,
    }


def apply_program(record: ProgramRecord | None, event: ProgramEvent) -> ProgramRecord:
    version = (_ms(event), event.event_id)
    if record is not None and record.version >= version:
        return record
    return ProgramRecord(
        program_id=event.program_id,
        name=event.name,
        dimension=event.dimension.value,
        agency=event.agency,
        status=event.status.value,
        realization_centi=round(event.realization_pct * 100),
        year=event.year,
        version=version,
    )


def apply_indicator(record: IndicatorRecord | None, event: IndicatorEvent) -> IndicatorRecord:
    reading = (_ms(event), event.event_id, event.value)
    readings = dict(record.readings) if record else {}
    current = readings.get(event.period)
    if current is None or current[:2] < reading[:2]:
        readings[event.period] = reading
    version = reading[:2]
    if record is not None and record.version >= version:
        return replace(record, readings=readings)
    # The newest event overall names the indicator (its unit, target, direction).
    return IndicatorRecord(
        indicator_id=event.indicator_id,
        name=event.name,
        dimension=event.dimension.value,
        unit=event.unit,
        direction=event.direction.value,
        target=event.target,
        readings=readings,
        version=version,
    )


def apply_event(record: Any, event: AnyEvent) -> Record:
    if isinstance(event, ComplaintEvent):
        return apply_complaint(record, event)
    if isinstance(event, ProgramEvent):
        return apply_program(record, event)
    return apply_indicator(record, event)
