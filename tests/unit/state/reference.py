"""The folds and the record codec as they were first written: slow, plainly correct.

Kept as the reference the fast ones in pantau/state are held equal to: the same records
(compared through their encoding, byte for byte), the same aggregates, the same counts.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import pydantic_core

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


# --- contributions


# Upper bounds (seconds) of the time-to-resolution buckets: 15 min .. 30 days, then the rest.
TTR_BOUNDS = (900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200,
              432000, 604800, 1209600, 2592000)  # fmt: skip
COMPLAINT_GROUPS = ("dimension", "agency", "category", "kelurahan")
ARRIVAL_GROUPS = ("dimension", "category", "kecamatan")

Contribution = dict[str, dict[str, int]]  # aggregate key suffix -> field -> amount


def ttr_bucket(seconds: int) -> str:
    for bound in TTR_BOUNDS:
        if seconds <= bound:
            return str(bound)
    return "inf"


def contribution(record: Record | None, zone: ZoneInfo) -> Contribution:
    """Everything one record adds to the aggregates."""
    if record is None:
        return {}
    if isinstance(record, ComplaintRecord):
        return _complaint(record, zone)
    if isinstance(record, ProgramRecord):
        return _program(record)
    return _indicator(record)


def delta(old: Record | None, new: Record | None, zone: ZoneInfo) -> Contribution:
    """contribution(new) - contribution(old), without the zeros."""
    if isinstance(new, ComplaintRecord) and isinstance(old, ComplaintRecord | None):
        return _complaint_delta(old, new, zone)
    return _difference(contribution(old, zone), contribution(new, zone))


def _difference(before: Contribution, after: Contribution) -> Contribution:
    change: dict[str, dict[str, int]] = defaultdict(dict)
    for sign, part in ((-1, before), (1, after)):
        for key, fields in part.items():
            bucket = change[key]
            for field, amount in fields.items():
                bucket[field] = bucket.get(field, 0) + sign * amount
    return {
        key: nonzero
        for key, fields in change.items()
        if (nonzero := {f: a for f, a in fields.items() if a})
    }


def _complaint_delta(
    old: ComplaintRecord | None, new: ComplaintRecord, zone: ZoneInfo
) -> Contribution:
    """The common case, a status step that leaves the complaint where it was, costs one
    field difference copied to each of its groups instead of two full contributions."""
    if old is None or _groups(old) != _groups(new):
        return _difference(contribution(old, zone), contribution(new, zone))
    before, after = _complaint_fields(old, zone), _complaint_fields(new, zone)
    changed = {
        f: a for f in before.keys() | after.keys() if (a := after.get(f, 0) - before.get(f, 0))
    }
    result = {key: dict(changed) for key in _group_keys(new)} if changed else {}
    if old.arrival_ms // 60_000 != new.arrival_ms // 60_000:
        result.update(_difference(_arrivals(old), _arrivals(new)))
    return result


def local_day(ms: int, zone: ZoneInfo) -> str:
    # Every zone's offset is a multiple of 15 minutes, so the day is the same within a
    # quarter hour: cache by quarter hour rather than convert each timestamp.
    return _local_day(ms // QUARTER_HOUR_MS, zone)


QUARTER_HOUR_MS = 15 * 60 * 1000


@lru_cache(maxsize=1 << 16)
def _local_day(quarter_hour: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(quarter_hour * QUARTER_HOUR_MS / 1000, zone).date().isoformat()


PLACEMENT = tuple(dict.fromkeys(COMPLAINT_GROUPS + ARRIVAL_GROUPS))


def _groups(record: ComplaintRecord) -> tuple[str, ...]:
    return tuple(getattr(record, group) for group in PLACEMENT)


def _group_keys(record: ComplaintRecord) -> list[str]:
    keys = ["complaints:city:all"]
    keys += [f"complaints:{group}:{getattr(record, group)}" for group in COMPLAINT_GROUPS]
    return keys


def _complaint_fields(record: ComplaintRecord, zone: ZoneInfo) -> dict[str, int]:
    fields: dict[str, int] = {f"received:{local_day(record.arrival_ms, zone)}": 1}
    if record.is_open:
        fields["open"] = 1
    else:
        closed_ms = record.steps[-1][0]
        closed_day = local_day(closed_ms, zone)
        fields[f"{record.status}:{closed_day}"] = 1
        received_ms = record.received_ms
        if record.status == "resolved" and received_ms is not None:
            # Time to resolution needs both ends; until "received" arrives it is not known.
            seconds = max(0, (closed_ms - received_ms) // 1000)
            fields[f"ttr_sum:{closed_day}"] = seconds
            fields[f"ttr_count:{closed_day}"] = 1
            fields[f"ttr_le:{closed_day}:{ttr_bucket(seconds)}"] = 1
    return fields


def _arrivals(record: ComplaintRecord) -> Contribution:
    minute = str(record.arrival_ms // 60_000)
    hour = str(record.arrival_ms // 3_600_000 * 60)  # the epoch minute its hour starts at
    result = {f"arrivals:{group}:{getattr(record, group)}": {minute: 1} for group in ARRIVAL_GROUPS}
    result[f"hourly-arrivals:dimension:{record.dimension}"] = {hour: 1}
    return result


def _complaint(record: ComplaintRecord, zone: ZoneInfo) -> Contribution:
    fields = _complaint_fields(record, zone)
    result = {key: dict(fields) for key in _group_keys(record)}
    result.update(_arrivals(record))
    return result


def _program(record: ProgramRecord) -> Contribution:
    year = record.year
    fields = {f"{year}:status:{record.status}": 1}
    if record.status != "cancelled":
        fields[f"{year}:planned"] = 1
        fields[f"{year}:realization_centi"] = record.realization_centi
    if record.status == "completed":
        fields[f"{year}:completed"] = 1
    return {f"programs:dimension:{record.dimension}": fields}


def _indicator(record: IndicatorRecord) -> Contribution:
    return {f"indicators:dimension:{record.dimension}": {record.indicator_id: 1}}


# --- batch


@dataclass(frozen=True)
class FoldResult:
    changed: dict[str, Record]  # entity id -> its new record, only where it changed
    aggregates: Contribution  # aggregate key suffix -> field -> increment
    unchanged: int  # events that changed nothing: duplicates or superseded


def fold_batch(
    before: dict[str, Record | None], events: Iterable[AnyEvent], zone: ZoneInfo
) -> FoldResult:
    """Apply events to the records they touch; `before` holds each entity's stored record."""
    current: dict[str, Record | None] = dict(before)
    unchanged = 0
    for event in events:
        old = current.get(event.entity_id)
        new = apply_event(old, event)
        if new == old:
            unchanged += 1
        current[event.entity_id] = new
    changed = {
        entity: record
        for entity, record in current.items()
        if record is not None and record != before.get(entity)
    }
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    for entity, record in changed.items():
        for key, fields in delta(before.get(entity), record, zone).items():
            bucket = totals[key]
            for field, amount in fields.items():
                bucket[field] = bucket.get(field, 0) + amount
    aggregates = {k: nz for k, f in totals.items() if (nz := {x: a for x, a in f.items() if a})}
    return FoldResult(changed, aggregates, unchanged)


# --- codec


def _fields(record: Record) -> dict[str, Any]:
    # The declared fields only: a record also caches derived values on itself.
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def encode_record(record: Record) -> bytes:
    if isinstance(record, ComplaintRecord):
        body: dict[str, Any] = {
            "k": "c",
            **_fields(record),
            "steps": [list(s) for s in record.steps],
        }
    elif isinstance(record, ProgramRecord):
        body = {"k": "p", **_fields(record), "version": list(record.version)}
    else:
        body = {
            "k": "i",
            **_fields(record),
            "readings": {p: list(r) for p, r in sorted(record.readings.items())},
            "version": list(record.version),
        }
    # pydantic_core's JSON is the compact form json.dumps gives, several times faster.
    return pydantic_core.to_json(body)


def decode_record(raw: bytes) -> Record:
    body = pydantic_core.from_json(raw)
    kind = body.pop("k")
    if kind == "c":
        body["steps"] = tuple(tuple(step) for step in body["steps"])
        return ComplaintRecord(**body)
    body["version"] = tuple(body["version"])
    if kind == "p":
        return ProgramRecord(**body)
    body["readings"] = {period: tuple(reading) for period, reading in body["readings"].items()}
    return IndicatorRecord(**body)
