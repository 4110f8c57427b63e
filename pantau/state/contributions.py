"""What one entity record adds to the aggregates, as integer counters.

An aggregate is the sum of every record's contribution, so when a record changes the
aggregates change by contribution(new) - contribution(old): late or out-of-order events
move a complaint from one day, group or bucket to another without special cases, and
every sum stays an exact integer however the events were batched.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
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
    if record is None:
        return {}
    if isinstance(record, ComplaintRecord):
        return _complaint(record, zone)
    if isinstance(record, ProgramRecord):
        return _program(record)
    return _indicator(record)


def delta(old: Record | None, new: Record | None, zone: ZoneInfo) -> Contribution:
    """contribution(new) - contribution(old), without the zeros."""
    change: dict[str, dict[str, int]] = defaultdict(dict)
    for sign, part in ((-1, contribution(old, zone)), (1, contribution(new, zone))):
        for key, fields in part.items():
            bucket = change[key]
            for field, amount in fields.items():
                bucket[field] = bucket.get(field, 0) + sign * amount
    return {
        key: nonzero
        for key, fields in change.items()
        if (nonzero := {f: a for f, a in fields.items() if a})
    }


def local_day(ms: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(ms / 1000, zone).date().isoformat()


def _complaint(record: ComplaintRecord, zone: ZoneInfo) -> Contribution:
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
    result = {"complaints:city:all": fields}
    for group in COMPLAINT_GROUPS:
        result[f"complaints:{group}:{getattr(record, group)}"] = dict(fields)
    minute = str(record.arrival_ms // 60_000)
    for group in ARRIVAL_GROUPS:
        result[f"arrivals:{group}:{getattr(record, group)}"] = {minute: 1}
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
