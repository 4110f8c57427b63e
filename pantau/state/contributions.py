"""What one entity record adds to the aggregates, as integer counters.

An aggregate is the sum of every record's contribution, so when a record changes the
aggregates change by contribution(new) - contribution(old): late or out-of-order events
move a complaint from one day, group or bucket to another without special cases, and
every sum stays an exact integer however the events were batched.

The folds add that difference straight into a batch's running totals (`add_change`),
without building either contribution; complaints, nearly every event, the fast way of
complaints.py. `contribution` and `delta` give the same as dicts, for tests and readers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from pantau.state.complaints import (
    ARRIVAL_GROUPS,
    COMPLAINT_GROUPS,
    TTR_BOUNDS,
    Calendar,
    Totals,
    add_complaint,
    calendar,
    complaint_contribution,
)
from pantau.state.records import ComplaintRecord, IndicatorRecord, ProgramRecord, Record
from pantau.state.service_fields import ServiceClock

Contribution = dict[str, dict[str, int]]  # aggregate key suffix -> field -> amount

__all__ = ["ARRIVAL_GROUPS", "COMPLAINT_GROUPS", "TTR_BOUNDS", "Contribution", "Totals",
           "add_change", "calendar", "contribution", "delta", "nonzero", "sums"]  # fmt: skip


def add_change(
    totals: Totals,
    old: Record | None,
    new: Record | None,
    days: Calendar,
    service: ServiceClock | None = None,
) -> None:
    """Add contribution(new) - contribution(old) to `totals`, zeros included; `service`
    adds the complaints' service-level fields (service_fields.py)."""
    if type(new) is ComplaintRecord and (old is None or type(old) is ComplaintRecord):
        add_complaint(totals, old, new, days, service)
        return
    for sign, part in ((-1, _contribution(old, days, service)),
                       (1, _contribution(new, days, service))):  # fmt: skip
        for key, fields in part.items():
            bucket = totals[key]
            for name, amount in fields.items():
                bucket[name] = bucket.get(name, 0) + sign * amount


def nonzero(totals: Totals) -> Contribution:
    """The totals without the fields that came back to zero, nor the keys left empty."""
    return {
        key: kept
        for key, fields in totals.items()
        if (kept := {name: amount for name, amount in fields.items() if amount})
    }


def contribution(
    record: Record | None, zone: ZoneInfo, service: ServiceClock | None = None
) -> Contribution:
    """Everything one record adds to the aggregates."""
    return _contribution(record, calendar(zone), service)


def sums(
    records: Iterable[Record], zone: ZoneInfo, service: ServiceClock | None = None
) -> Contribution:
    """The aggregates as defined: every record's contribution, summed once. What the
    worker reaches by adding each change as it comes; a rebuild that only needs the end
    result reaches it this way at a fraction of the cost, and by another road."""
    totals: Totals = defaultdict(dict)
    days = calendar(zone)
    for record in records:
        add_change(totals, None, record, days, service)
    return nonzero(totals)


def delta(
    old: Record | None, new: Record | None, zone: ZoneInfo, service: ServiceClock | None = None
) -> Contribution:
    """contribution(new) - contribution(old), without the zeros."""
    totals: Totals = defaultdict(dict)
    add_change(totals, old, new, calendar(zone), service)
    return nonzero(totals)


def _difference(before: Contribution, after: Contribution) -> Contribution:
    change: Totals = defaultdict(dict)
    for sign, part in ((-1, before), (1, after)):
        for key, fields in part.items():
            bucket = change[key]
            for field, amount in fields.items():
                bucket[field] = bucket.get(field, 0) + sign * amount
    return nonzero(change)


def _contribution(
    record: Record | None, days: Calendar, service: ServiceClock | None = None
) -> Contribution:
    if record is None:
        return {}
    if isinstance(record, ComplaintRecord):
        return complaint_contribution(record, days, service)
    if isinstance(record, ProgramRecord):
        return _program(record)
    return _indicator(record)


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
