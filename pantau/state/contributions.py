"""What one entity record adds to the aggregates, as integer counters.

An aggregate is the sum of every record's contribution, so when a record changes the
aggregates change by contribution(new) - contribution(old): late or out-of-order events
move a complaint from one day, group or bucket to another without special cases, and
every sum stays an exact integer however the events were batched.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from pantau.state.records import ComplaintRecord, IndicatorRecord, ProgramRecord, Record

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
    return {f"arrivals:{group}:{getattr(record, group)}": {minute: 1} for group in ARRIVAL_GROUPS}


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
