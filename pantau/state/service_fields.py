"""A complaint's share of the service-level aggregates: its clocks against their deadlines.

Each stage of a complaint (see deadlines.py for when a stage starts and what meets it)
has a deadline in working time. To the service-level aggregate of each of its groups
but the city (`service:dimension:living`, and its agency's, category's and kelurahan's;
the city is its dimensions' sum, taken when read) a complaint adds:

- `sla_due:<stage>:<epoch s>` 1 while it is open with a stage clock running: the
  earliest deadline among its running stages, and that stage (the deadline watcher pages
  an agency per stage). "Overdue now", "due within 24 hours" and "breached
  today" are counted from these fields when they are read, against the city's clock, so
  they change as time passes without a timer that could drift or be missed.
- `sla_missed:<day>` for each stage met after its deadline, on the local day the
  deadline fell: the breaches that are over.
- `sla_closed:<day>` once its resolution is met, on that day, and `sla_on_time:<day>`
  as well when it was met within the deadline: the on-time rate.
- `sla_uncovered` 1 while a running stage's deadline would need a day beyond the
  committed calendar's years (deadlines are never guessed; working_calendar.py).

And to its dimension's and agency's stage times aggregate (`stage-times:agency:dlh`),
`sla_took:<stage>:<day>:<bound>` for each stage met, on the day it was met, in the
bucket of how long it took (the times to resolution's bounds): the median per stage.

These aggregates are apart from the complaint counts, and the stage times apart from
the rest, so that what the wall reads of them every second stays small: a few fields per
day, and one per deadline still running.

Everything is a function of the record's steps, category and agency and of the profile,
so the audit's replay reproduces it; only the reading takes a clock.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.contract.city import CityProfile
from pantau.contract.service_levels import ServiceLevels, Stage
from pantau.contract.working_calendar import OutsideCalendarError
from pantau.state.calendar import CACHE_LIMIT, QUARTER_HOUR_MS, epoch_ms
from pantau.state.complaints import (
    TTR_BOUNDS,
    Calendar,
    Fields,
    LocalDay,
    Totals,
    move_fields,
)
from pantau.state.records import CLOSED, ComplaintRecord
from pantau.state.working_time import due_at

DUE = "sla_due:"
MISSED = "sla_missed:"
CLOSED_FIELD = "sla_closed:"
ON_TIME = "sla_on_time:"
UNCOVERED = "sla_uncovered"
TOOK = "sla_took:"

_FORWARDING_ENDS = frozenset({"dispatched", "in_progress", "resolved", "rejected"})
_FIRST_ACTION_ENDS = frozenset({"in_progress", "resolved", "rejected"})
_RESOLUTION_ENDS = CLOSED
# The statuses that start or end a stage; any other step ("verified") moves no clock.
# The stages as plain strings where they are kept by the thousand: an enum member is an
# object the garbage collector watches, and so is every tuple holding one.
_FORWARDING, _FIRST_ACTION, _RESOLUTION = (str(stage.value) for stage in Stage)
_CLOCK_STATUSES = frozenset({"received", "dispatched", "in_progress", "resolved", "rejected",
                             "reopened"})  # fmt: skip

SERVICE_GROUPS = ("dimension", "agency", "category", "kelurahan")

Steps = tuple[tuple[int, str, str], ...]
_Due = tuple[int, str] | None  # (due ms, its sla_due field), None beyond the calendar
_UNKNOWN = object()
# Records whose fields are remembered for their next change. A record's next event comes
# within a burst or not for hours, so a few thousand catch nearly every hit; at the
# calendar caches' 65,536 the memo held that many records alive, and the benchmark's
# worker grew 60 % after warm-up.
REMEMBERED_RECORDS = 8192
Placed = tuple[tuple[str, ...], tuple[str, ...]]  # (service-level keys, stage times keys)
Shares = tuple[Fields, Fields]  # (service-level fields, stage times fields)
StageClock = tuple[str, int, int | None, _Due]  # (stage, started ms, met ms, due)
# Tuples, not lists: made of atoms, they leave the garbage collector's watch, and the
# memo below holds tens of thousands of them.
Clocks = tuple[StageClock, ...]


class ServiceClock:
    """The city's deadlines, as the folds ask for them: cached, since nearly every
    complaint starts its clocks on a day many others started theirs on."""

    __slots__ = ("_due", "_keys", "_kinds", "_last", "levels", "zone")

    def __init__(self, levels: ServiceLevels, zone: ZoneInfo) -> None:
        self.levels = levels
        self.zone = zone
        # (category, agency) -> per stage, whether its deadline is in whole days
        self._kinds: dict[tuple[str, str], dict[str, bool]] = {}
        # (stage, category, agency, local date ordinal) for whole working days, whatever
        # the hour; (stage, category, agency, start ms) for working hours. Plain tuples:
        # a pydantic model in the key would be hashed in Python at every look-up.
        self._due: dict[tuple[str, str, str, int], _Due] = {}
        self._keys: dict[tuple[str, str, str, str], Placed] = {}
        # id(record) -> (record, its fields): a record's fields as the new one of a change
        # are asked for again when it is the old one of the next change.
        self._last: dict[int, tuple[ComplaintRecord, Shares, Clocks]] = {}

    @classmethod
    def of(cls, profile: CityProfile) -> ServiceClock:
        return cls(profile.service_levels, profile.timezone)

    def keys(self, record: ComplaintRecord) -> Placed:
        """The aggregates a complaint counts in, given where it belongs: its service-level
        ones, and its stage times' (its dimension's and agency's)."""
        where = (record.dimension, record.agency, record.category, record.kelurahan)
        found = self._keys.get(where)
        if found is None:
            if len(self._keys) >= CACHE_LIMIT:
                self._keys.clear()
            levels = tuple(
                service_suffix(group, key) for group, key in zip(SERVICE_GROUPS, where, strict=True)
            )
            times = (stage_times_suffix("dimension", record.dimension),
                     stage_times_suffix("agency", record.agency))  # fmt: skip
            found = self._keys[where] = (levels, times)
        return found

    def add_change(
        self, totals: Totals, old: ComplaintRecord | None, new: ComplaintRecord, days: Calendar
    ) -> None:
        """Add the contribution of `new` less that of `old` to `totals`, zeros included."""
        if old is not None and self.same_fields(old, new):
            return
        keys = self.keys(new)
        shares = self.fields(new, days) if old is None else self._fields_after(old, new, days)
        if old is None:
            for where, share in zip(keys, shares, strict=True):
                _add(totals, where, share, 1)
            return
        was_keys, was_shares = self.keys(old), self.fields(old, days)
        for where, was, share, was_share in zip(keys, was_keys, shares, was_shares, strict=True):
            if where is not was and where != was:  # re-routed: out of one place, into another
                _add(totals, was, was_share, -1)
                _add(totals, where, share, 1)
            else:
                move_fields(totals, where, share, was_share)

    def contribution(self, record: ComplaintRecord, days: Calendar) -> dict[str, dict[str, int]]:
        """Everything the complaint adds, per aggregate (for contributions.contribution)."""
        found: dict[str, dict[str, int]] = {}
        for where, share in zip(self.keys(record), self.fields(record, days), strict=True):
            if share:
                found.update({key: dict(share) for key in where})
        return found

    def due(self, stage: str, category: str, agency: str, started_ms: int, days: Calendar) -> _Due:
        """The deadline of a stage whose clock started at `started_ms`."""
        kinds = self._kinds.get((category, agency)) or self._kinds_of(category, agency)
        return self._due_of(stage, category, agency, started_ms, kinds[stage], days)

    def _kinds_of(self, category: str, agency: str) -> dict[str, bool]:
        """Per stage, whether its deadline is in whole working days (else in hours)."""
        found = {
            str(stage.value): self.levels.deadline(stage, category, agency).working_days is not None
            for stage in Stage
        }
        self._kinds[(category, agency)] = found
        return found

    def _due_of(
        self, stage: str, category: str, agency: str, started_ms: int, in_days: bool,
        days: Calendar,
    ) -> _Due:  # fmt: skip
        # Whole working days end on a day's closing whatever the hour they start: one
        # answer per local day. Plain tuples in the key: they hash in C.
        if in_days:
            day = days.quarters.get(started_ms // QUARTER_HOUR_MS) or days.day(started_ms)
            key = (stage, category, agency, day.ordinal)
        else:
            key = (stage, category, agency, started_ms)
        cached = self._due.get(key, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached  # type: ignore[return-value]
        if len(self._due) >= CACHE_LIMIT:
            self._due.clear()
        levels = self.levels
        deadline = levels.deadline(Stage(stage), category, agency)
        try:
            seconds, millis = divmod(started_ms, 1000)
            start = datetime.fromtimestamp(seconds, self.zone) + timedelta(milliseconds=millis)
            due_ms = epoch_ms(due_at(start, deadline, levels.working_calendar,
                                     levels.office_hours, self.zone))  # fmt: skip
            found: _Due = (due_ms, f"{DUE}{stage}:{due_ms // 1000}")
        except OutsideCalendarError:
            found = None
        self._due[key] = found
        return found

    def fields(self, record: ComplaintRecord, days: Calendar) -> Shares:
        """What the complaint adds to each of its service-level aggregates, and to each of
        its stage times'."""
        last = self._last.get(id(record))
        if last is not None and last[0] is record:
            return last[1]
        return self._remember(record, self.clocks(record, days), days)

    def _remember(self, record: ComplaintRecord, clocks: Clocks, days: Calendar) -> Shares:
        found = self._shares(record, clocks, days)
        if len(self._last) >= REMEMBERED_RECORDS:
            self._last.clear()
        self._last[id(record)] = (record, found, clocks)
        return found

    def _fields_after(self, old: ComplaintRecord, new: ComplaintRecord, days: Calendar) -> Shares:
        """`new`'s fields, its clocks derived from `old`'s when it is `old` with one step
        appended after all of its steps (the usual next step), else computed anew."""
        last = self._last.get(id(new))
        if last is not None and last[0] is new:
            return last[1]
        memo = self._last.get(id(old))
        steps, was = new.steps, old.steps
        if (memo is None or memo[0] is not old or len(steps) != len(was) + 1
                or steps[-2] is not was[-1]):  # fmt: skip
            return self.fields(new, days)
        clocks = self._clocks_after(new, memo[2], steps[-1], days)
        if clocks is None:
            return self.fields(new, days)
        return self._remember(new, clocks, days)

    def _clocks_after(
        self, record: ComplaintRecord, clocks: Clocks, step: tuple[int, str, str],
        days: Calendar,
    ) -> Clocks | None:  # fmt: skip
        """The clocks once `step`, later than every other, is added; None for a first
        "received" (rare: every clock would start again), which is computed anew."""
        at, _, status = step
        forwarding = first_action = resolution = None
        for clock in clocks:
            if clock[0] == _FORWARDING:
                forwarding = clock
            elif clock[0] == _FIRST_ACTION:
                first_action = clock
            else:
                resolution = clock
        if status == "received":
            if forwarding is None:
                return None
        elif status == "reopened":  # the resolution's clock starts again from here
            resolution = (_RESOLUTION, at, None, self.due(
                _RESOLUTION, record.category, record.agency, at, days))  # fmt: skip
        elif status in _FORWARDING_ENDS:
            if forwarding is not None and forwarding[2] is None and at >= forwarding[1]:
                forwarding = (*forwarding[:2], at, forwarding[3])
            if status == "dispatched":
                if first_action is None:
                    first_action = (_FIRST_ACTION, at, None, self.due(
                        _FIRST_ACTION, record.category, record.agency, at, days))  # fmt: skip
            else:
                if first_action is not None and first_action[2] is None and at >= first_action[1]:
                    first_action = (*first_action[:2], at, first_action[3])
                if (status in CLOSED and resolution is not None and resolution[2] is None
                        and at >= resolution[1]):  # fmt: skip
                    resolution = (*resolution[:2], at, resolution[3])
        return tuple(c for c in (forwarding, first_action, resolution) if c is not None)

    def clocks(self, record: ComplaintRecord, days: Calendar) -> Clocks:
        """Each stage whose clock has started: (stage, started ms, met ms or None, its due
        time or None beyond the calendar), as deadlines.stage_times defines them (a test
        holds the two equal). Two passes over the steps, in time order: when each clock
        started, then the first step at or after that which ends it."""
        steps = record.steps
        received = dispatched = reopened = None
        for at, _, status in steps:
            if status == "received":
                if received is None:
                    received = at
            elif status == "dispatched":
                if dispatched is None:
                    dispatched = at
            elif status == "reopened":
                reopened = at  # the latest wins: a reopening starts the resolution again
        resolving = reopened if reopened is not None else received
        if resolving is None and dispatched is None:
            return ()
        forwarded = acted = resolved = None
        for at, _, status in steps:
            if status in _FORWARDING_ENDS:  # every end of a stage is one of these
                if forwarded is None and received is not None and at >= received:
                    forwarded = at
                if status != "dispatched":
                    if acted is None and dispatched is not None and at >= dispatched:
                        acted = at
                    if (resolved is None and status in CLOSED and resolving is not None
                            and at >= resolving):  # fmt: skip
                        resolved = at
        category, agency = record.category, record.agency
        kinds = self._kinds.get((category, agency)) or self._kinds_of(category, agency)
        due = self._due_of
        found: list[StageClock] = []
        if received is not None:
            found.append((_FORWARDING, received, forwarded,
                          due(_FORWARDING, category, agency, received,
                              kinds[_FORWARDING], days)))  # fmt: skip
        if dispatched is not None:
            found.append((_FIRST_ACTION, dispatched, acted,
                          due(_FIRST_ACTION, category, agency, dispatched,
                              kinds[_FIRST_ACTION], days)))  # fmt: skip
        if resolving is not None:
            found.append((_RESOLUTION, resolving, resolved,
                          due(_RESOLUTION, category, agency, resolving,
                              kinds[_RESOLUTION], days)))  # fmt: skip
        return tuple(found)

    def same_fields(self, old: ComplaintRecord, new: ComplaintRecord) -> bool:
        """Whether `new` is `old` with one step appended that no clock looks at (a
        "verified"): its fields are old's, and are remembered as new's without work."""
        steps, was = new.steps, old.steps
        if (len(steps) != len(was) + 1 or steps[-1][2] in _CLOCK_STATUSES
                or steps[-2] is not was[-1]):  # fmt: skip
            return False
        last = self._last.get(id(old))
        if last is not None and last[0] is old:
            self._last[id(new)] = (new, last[1], last[2])
        return True

    def _shares(self, record: ComplaintRecord, clocks: Clocks, days: Calendar) -> Shares:
        earliest: int | None = None
        earliest_field = ""
        uncovered = False
        out: dict[str, int] = {}
        times: dict[str, int] = {}
        for stage, started, met, due in clocks:
            if met is not None:
                took = _took(stage, _day(days, met), met - started)
                times[took] = times.get(took, 0) + 1
            if due is None:
                uncovered = uncovered or met is None
                continue
            due_ms, due_field = due
            if met is None:
                if earliest is None or due_ms < earliest:
                    earliest, earliest_field = due_ms, due_field
                continue
            if met > due_ms:
                name = _day(days, due_ms).sla_missed
                out[name] = out.get(name, 0) + 1
            if stage == _RESOLUTION:
                met_day = _day(days, met)
                out[met_day.sla_closed] = out.get(met_day.sla_closed, 0) + 1
                if met <= due_ms:
                    out[met_day.sla_on_time] = out.get(met_day.sla_on_time, 0) + 1
        if record.steps[-1][2] not in CLOSED:  # only an open complaint is overdue or due
            if earliest is not None:
                out[earliest_field] = 1
            if uncovered:
                out[UNCOVERED] = 1
        return tuple(out.items()), tuple(times.items())

    def deadlines(self, record: ComplaintRecord, days: Calendar) -> tuple[int | None, int | None]:
        """(its resolution's due ms, the earliest due ms of a stage still running while it
        is open): what Open311 answers as expected_datetime, and whether it is overdue."""
        resolution = running = None
        is_open = record.steps[-1][2] not in CLOSED
        for stage, _, met, due in self.clocks(record, days):
            if due is None:
                continue
            if stage == _RESOLUTION:
                resolution = due[0]
            if met is None and is_open and (running is None or due[0] < running):
                running = due[0]
        return resolution, running


def service_suffix(group: str, key: str) -> str:
    """A service-level aggregate's key suffix: service:dimension:living."""
    return f"service:{group}:{key}"


def stage_times_suffix(group: str, key: str) -> str:
    """A stage times aggregate's key suffix: stage-times:agency:dlh."""
    return f"stage-times:{group}:{key}"


def _add(totals: Totals, keys: tuple[str, ...], fields: Fields, sign: int) -> None:
    for key in keys:
        bucket = totals[key]
        for name, amount in fields:
            bucket[name] = bucket.get(name, 0) + sign * amount


def _took(stage: str, met_day: LocalDay, took_ms: int) -> str:
    """The duration bucket of a stage met on `met_day`: its upper bound in seconds, as the
    times to resolution have them (complaints.TTR_BOUNDS), or "inf" past the last."""
    index = bisect_left(TTR_BOUNDS, took_ms // 1000)
    name = met_day.took.get((stage, index))
    if name is None:
        bound = TTR_BOUNDS[index] if index < len(TTR_BOUNDS) else "inf"
        name = met_day.took[(stage, index)] = f"{TOOK}{stage}:{met_day.iso}:{bound}"
    return name


def _first_end(steps: Steps, ends: frozenset[str], since: int) -> int | None:
    for at, _, status in steps:
        if at >= since and status in ends:
            return at
    return None


def _day(days: Calendar, ms: int) -> LocalDay:
    return days.quarters.get(ms // QUARTER_HOUR_MS) or days.day(ms)
