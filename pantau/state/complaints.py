"""A complaint's share of the aggregates, computed for speed.

In each of its groups (the city, its dimension, agency, category and kelurahan) a
complaint adds the same few fields: 1 to the day it arrived, and "open" or what closed
it that day (with its time to resolution); and 1 to the minute it arrived in (per
dimension, category and kecamatan) and to the hour (per dimension). So it is computed
once, as (received field, status fields, arrival minute), and only its groups' keys are
looked up, from a cache keyed by where it belongs; a local day's field names are built
once per day. Every cache is bounded.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pantau.state.calendar import CACHE_LIMIT, QUARTER_HOUR_MS, local_day
from pantau.state.records import CLOSED, ComplaintRecord

if TYPE_CHECKING:
    from pantau.state.service_fields import ServiceClock

# Upper bounds (seconds) of the time-to-resolution buckets: 15 min .. 30 days, then the rest.
TTR_BOUNDS = (900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200,
              432000, 604800, 1209600, 2592000)  # fmt: skip
COMPLAINT_GROUPS = ("dimension", "agency", "category", "kelurahan")
ARRIVAL_GROUPS = ("dimension", "category", "kecamatan")
# Arrivals per hour as well, for the wall's day of arrivals against its expectation: an
# hour's field stands for up to 60 minute fields, so reading weeks of it stays cheap.
HOURLY_ARRIVAL_GROUPS = ("dimension",)
HOURLY_ARRIVALS = "hourly-arrivals"  # the aggregates' name: hourly-arrivals:dimension:living

Totals = defaultdict[str, dict[str, int]]  # aggregate key suffix -> field -> amount so far
Fields = tuple[tuple[str, int], ...]  # a complaint's status fields, in each of its groups

OPEN: Fields = (("open", 1),)


class LocalDay:
    """The field names one local day gives a complaint."""

    __slots__ = ("iso", "ordinal", "received", "rejected", "resolved", "resolved_alone",
                 "sla_closed", "sla_missed", "sla_on_time", "took", "ttr_count", "ttr_le",
                 "ttr_sum")  # fmt: skip

    def __init__(self, day: str) -> None:
        self.iso = day
        self.ordinal = date.fromisoformat(day).toordinal()
        # The service-level fields (service_fields.py) of this day.
        self.sla_missed = f"sla_missed:{day}"
        self.sla_closed = f"sla_closed:{day}"
        self.sla_on_time = f"sla_on_time:{day}"
        self.took: dict[tuple[str, int], str] = {}  # (stage, bucket) -> its stage-times field
        self.received = f"received:{day}"
        self.rejected: Fields = ((f"rejected:{day}", 1),)
        self.resolved = f"resolved:{day}"
        # Time to resolution needs both ends; until "received" arrives it is not known.
        self.resolved_alone: Fields = ((self.resolved, 1),)
        self.ttr_sum = f"ttr_sum:{day}"
        self.ttr_count = f"ttr_count:{day}"
        self.ttr_le = tuple(f"ttr_le:{day}:{bound}" for bound in (*TTR_BOUNDS, "inf"))


class Calendar:
    """One zone's local days, by quarter hour (see calendar.local_day)."""

    __slots__ = ("by_day", "quarters", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.quarters: dict[int, LocalDay] = {}
        self.by_day: dict[str, LocalDay] = {}  # one LocalDay per date, whichever quarter found it

    def day(self, ms: int) -> LocalDay:
        found = self.quarters.get(ms // QUARTER_HOUR_MS)
        if found is None:
            if len(self.quarters) >= CACHE_LIMIT:
                self.quarters.clear()
                self.by_day.clear()
            name = local_day(ms, self.zone)
            found = self.by_day.get(name)
            if found is None:
                found = self.by_day[name] = LocalDay(name)
            self.quarters[ms // QUARTER_HOUR_MS] = found
        return found


_CALENDARS: dict[ZoneInfo, Calendar] = {}


def calendar(zone: ZoneInfo) -> Calendar:
    found = _CALENDARS.get(zone)
    if found is None:
        found = _CALENDARS[zone] = Calendar(zone)
    return found


# (its complaint groups, its arrival groups by minute, its arrival groups by hour)
Place = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_PLACES: dict[tuple[str, str, str, str, str], Place] = {}


def place(record: ComplaintRecord) -> Place:
    """The aggregate keys a complaint counts in, given where it belongs."""
    where = (record.dimension, record.agency, record.category, record.kecamatan,
             record.kelurahan)  # fmt: skip
    found = _PLACES.get(where)
    if found is None:
        if len(_PLACES) >= CACHE_LIMIT:
            _PLACES.clear()
        groups = ("complaints:city:all",
                  *(f"complaints:{g}:{getattr(record, g)}" for g in COMPLAINT_GROUPS))  # fmt: skip
        arrivals = tuple(f"arrivals:{group}:{getattr(record, group)}" for group in ARRIVAL_GROUPS)
        hourly = tuple(
            f"{HOURLY_ARRIVALS}:{group}:{getattr(record, group)}" for group in HOURLY_ARRIVAL_GROUPS
        )
        found = _PLACES[where] = (groups, arrivals, hourly)
    return found


def hour_field(minute: int) -> str:
    """An hourly arrivals field: the epoch minute its hour starts at."""
    return str(minute - minute % 60)


def complaint_fields(
    steps: tuple[tuple[int, str, str], ...], days: Calendar
) -> tuple[str, Fields, int]:
    """(its received field, its status fields, its arrival minute): in each of its groups
    a complaint adds 1 to the first and each status field's amount to it."""
    arrival, _, status = steps[0]
    if status == "received":  # the usual first step
        received_ms: int | None = arrival
    else:
        received_ms = None
        for at, _, status in steps:  # sorted: the first "received" step is the earliest
            if status == "received":
                received_ms = arrival = at
                break
    arrival_day = days.quarters.get(arrival // QUARTER_HOUR_MS) or days.day(arrival)
    last = steps[-1]
    fields = OPEN if last[2] not in CLOSED else _status_fields(last, received_ms, days)
    return arrival_day.received, fields, arrival // 60_000


def _status_fields(last: tuple[int, str, str], received_ms: int | None, days: Calendar) -> Fields:
    """What its newest step adds in each of its groups, besides its arrival."""
    closed_ms, _, status = last
    if status == "resolved":
        closed = days.quarters.get(closed_ms // QUARTER_HOUR_MS) or days.day(closed_ms)
        if received_ms is None:
            return closed.resolved_alone
        seconds = (closed_ms - received_ms) // 1000
        if seconds < 0:
            seconds = 0
        bucket = closed.ttr_le[bisect_left(TTR_BOUNDS, seconds)]
        return ((closed.resolved, 1), (closed.ttr_sum, seconds), (closed.ttr_count, 1),
                (bucket, 1))  # fmt: skip
    if status == "rejected":
        return (days.quarters.get(closed_ms // QUARTER_HOUR_MS) or days.day(closed_ms)).rejected
    return OPEN


def _put(
    totals: Totals, where: Place, received: str, fields: Fields, minute: int, sign: int
) -> None:
    """Add (sign 1) or take away (sign -1) a whole complaint's contribution."""
    for key in where[0]:
        bucket = totals[key]
        bucket[received] = bucket.get(received, 0) + sign
        for name, amount in fields:
            bucket[name] = bucket.get(name, 0) + sign * amount
    name = str(minute)
    for key in where[1]:
        bucket = totals[key]
        bucket[name] = bucket.get(name, 0) + sign
    name = hour_field(minute)
    for key in where[2]:
        bucket = totals[key]
        bucket[name] = bucket.get(name, 0) + sign


def add_complaint(
    totals: Totals,
    old: ComplaintRecord | None,
    new: ComplaintRecord,
    days: Calendar,
    service: ServiceClock | None = None,
) -> None:
    """Add contribution(new) - contribution(old) to `totals`, zeros included; with the
    service-level fields (service_fields.py) when `service` gives the city's deadlines."""
    if old is None:
        # New here: its whole contribution, in each of its groups.
        groups, arrivals, hourly = place(new)
        received, fields, minute = complaint_fields(new.steps, days)
        for key in groups:
            bucket = totals[key]
            bucket[received] = bucket.get(received, 0) + 1
            for name, amount in fields:
                bucket[name] = bucket.get(name, 0) + amount
        name = str(minute)
        for key in arrivals:
            bucket = totals[key]
            bucket[name] = bucket.get(name, 0) + 1
        name = str(minute - minute % 60)  # hour_field, inline: nearly every complaint comes here
        for key in hourly:
            bucket = totals[key]
            bucket[name] = bucket.get(name, 0) + 1
        if service is not None:
            service.add_change(totals, None, new, days)
        return
    if (new.dimension != old.dimension or new.agency != old.agency
            or new.category != old.category or new.kelurahan != old.kelurahan
            or new.kecamatan != old.kecamatan):  # fmt: skip
        # Re-routed: out of every group it was in, into every group it is in now.
        _put(totals, place(old), *complaint_fields(old.steps, days), -1)
        _put(totals, place(new), *complaint_fields(new.steps, days), 1)
        if service is not None:
            service.add_change(totals, old, new, days)
        return
    if service is not None:
        service.add_change(totals, old, new, days)
    # Where it was: only the fields that differ move, in each of its groups.
    steps, was_steps = new.steps, old.steps
    first = steps[0]
    if first is was_steps[0] and first[2] == "received":
        # The common case, steps added after its "received" one (the fold keeps the very
        # step tuples): it arrived when it did, only its newest step can move anything,
        # and from open to open nothing moves.
        last, was_last = steps[-1], was_steps[-1]
        if last[2] in CLOSED or was_last[2] in CLOSED:
            move_fields(totals, place(new)[0], _status_fields(last, first[0], days),
                  _status_fields(was_last, first[0], days))  # fmt: skip
        return
    received, fields, minute = complaint_fields(steps, days)
    was_received, was_fields, was_minute = complaint_fields(was_steps, days)
    if received != was_received:
        move_fields(totals, place(new)[0], ((received, 1),), ((was_received, 1),))
    move_fields(totals, place(new)[0], fields, was_fields)
    if minute != was_minute:
        move_fields(totals, place(new)[1], ((str(minute), 1),), ((str(was_minute), 1),))
        hours = ((hour_field(minute), 1),), ((hour_field(was_minute), 1),)
        move_fields(totals, place(new)[2], *hours)


def move_fields(totals: Totals, keys: tuple[str, ...], fields: Fields, was_fields: Fields) -> None:
    """In each of `keys`, take `was_fields` away and add `fields`, unless they are equal."""
    if fields != was_fields:
        for key in keys:
            bucket = totals[key]
            for name, amount in fields:
                bucket[name] = bucket.get(name, 0) + amount
            for name, amount in was_fields:
                bucket[name] = bucket.get(name, 0) - amount


def complaint_contribution(
    record: ComplaintRecord, days: Calendar, service: ServiceClock | None = None
) -> dict[str, dict[str, int]]:
    """Everything a complaint adds to the aggregates, as contributions.contribution gives it."""
    received, fields, minute = complaint_fields(record.steps, days)
    groups, arrivals, hourly = place(record)
    each = {received: 1, **dict(fields)}
    result = {key: dict(each) for key in groups}
    if service is not None:
        result.update(service.contribution(record, days))
    result.update({key: {str(minute): 1} for key in arrivals})
    result.update({key: {hour_field(minute): 1} for key in hourly})
    return result
