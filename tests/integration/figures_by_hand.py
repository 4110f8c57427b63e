"""The wall's figures counted by hand from the events in the log, without the folds,
the aggregates or pantau/state/compute.py: the independent side of the end-to-end
comparison, for the cards, the map's tiles and the sparklines' bars (the detector's
expectation behind the bars is held to the replay alone). Only the rules a reader of
the design notes would apply: a complaint's latest step decides whether it is open, it
arrived with its first "received" step, an entity's latest event wins, "today" is the
city's local day, and an event id is the dedupe key: an entity's event whose id it
already had is a repeat, and the first one read stands (the log is shared with tests
that reuse one fixture's id). A complaint is overdue when it is open and a stage it has
started is past its deadline unmet, each stage's times from the reference definition
(pantau/state/deadlines.py), not the folds' own road to them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.contract.city import CityProfile
from pantau.contract.events import AnyEvent, ComplaintEvent, IndicatorEvent, ProgramEvent
from pantau.state.calendar import epoch_ms
from pantau.state.deadlines import stage_times

CLOSED = {"resolved", "rejected"}


@dataclass(frozen=True)
class Headline:
    value: float
    change: float | None
    target: float | None
    on_target: bool | None
    unit: str
    period: str


@dataclass(frozen=True)
class DimensionByHand:
    open: int
    received_today: int
    resolved_today: int
    realization_pct: float | None
    headline: Headline | None
    overdue: int


def _latest(events: list[AnyEvent]) -> AnyEvent:
    return max(events, key=lambda e: (e.occurred_at, e.event_id))


def _unique(events: list[AnyEvent]) -> Iterable[AnyEvent]:
    first_read: dict[tuple[str, str, str], AnyEvent] = {}
    for event in events:
        first_read.setdefault((event.kind, event.entity_id, event.event_id), event)
    return first_read.values()


def _complaints(events: list[AnyEvent]) -> list[tuple[ComplaintEvent, datetime]]:
    """Each complaint's latest step and the moment it arrived (its first "received")."""
    steps: dict[str, list[ComplaintEvent]] = defaultdict(list)
    for event in _unique(events):
        if isinstance(event, ComplaintEvent):
            steps[event.complaint_id].append(event)
    found = []
    for complaint in steps.values():
        last = max(complaint, key=lambda e: (e.occurred_at, e.event_id))
        firsts = [s for s in complaint if s.status == "received"]
        found.append((last, min(s.occurred_at for s in (firsts or complaint))))
    return found


def open_by_kelurahan(events: list[AnyEvent], profile: CityProfile) -> dict[str, int]:
    """What each tile of the wall's map shows."""
    opened = {kel.key: 0 for kec in profile.kecamatan for kel in kec.kelurahan}
    for last, _ in _complaints(events):
        if last.status.value not in CLOSED:
            opened[last.kelurahan] += 1
    return opened


def arrivals_by_hour(
    events: list[AnyEvent], profile: CityProfile, until: datetime, hours: int
) -> dict[str, list[int]]:
    """Each dimension's complaints that arrived in each of the `hours` hours up to the one
    `until` falls in, oldest first: the bars of the wall's sparklines."""
    # Hours as the epoch counts them (in UTC), as the baseline does, whatever the zone.
    last_hour = until.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    first_hour = last_hour - timedelta(hours=hours - 1)
    arrived = {d.key.value: [0] * hours for d in profile.dimensions}
    for last, at in _complaints(events):
        slot = (at - first_hour) // timedelta(hours=1)
        if 0 <= slot < hours:
            arrived[last.dimension.value][slot] += 1
    return arrived


def _overdue(steps: list[ComplaintEvent], profile: CityProfile, now: datetime) -> bool:
    timeline = [(epoch_ms(s.occurred_at), s.event_id, s.status.value) for s in steps]
    first = steps[0]
    stages = stage_times(timeline, first.category, first.agency, profile.service_levels,
                         profile.timezone)  # fmt: skip
    now_ms = epoch_ms(now)
    return any(s.met_ms is None and s.due_ms is not None and s.due_ms < now_ms for s in stages)


def count(
    events: list[AnyEvent], profile: CityProfile, today: date, now: datetime
) -> dict[str, DimensionByHand]:
    """Every dimension's figures, "today" being the city's `today` and deadlines judged
    at `now`."""
    zone = ZoneInfo(profile.city.timezone)
    unique = _unique(events)
    complaints: dict[str, list[AnyEvent]] = defaultdict(list)
    programs: dict[str, list[AnyEvent]] = defaultdict(list)
    readings: dict[str, dict[str, list[AnyEvent]]] = defaultdict(lambda: defaultdict(list))
    for event in unique:
        if isinstance(event, ComplaintEvent):
            complaints[event.complaint_id].append(event)
        elif isinstance(event, ProgramEvent):
            programs[event.program_id].append(event)
        elif isinstance(event, IndicatorEvent):
            readings[event.indicator_id][event.period].append(event)

    opened: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    resolved: dict[str, int] = defaultdict(int)
    for steps in complaints.values():
        last = _latest(steps)
        assert isinstance(last, ComplaintEvent)
        dimension = last.dimension.value
        firsts = [s for s in steps if isinstance(s, ComplaintEvent) and s.status == "received"]
        arrived = min(s.occurred_at for s in (firsts or steps))
        if arrived.astimezone(zone).date() == today:
            received[dimension] += 1
        if last.status.value not in CLOSED:
            opened[dimension] += 1
            complaint = [s for s in steps if isinstance(s, ComplaintEvent)]
            overdue[dimension] += _overdue(complaint, profile, now)
        elif last.status == "resolved" and last.occurred_at.astimezone(zone).date() == today:
            resolved[dimension] += 1

    portfolios: dict[str, list[ProgramEvent]] = defaultdict(list)
    for versions in programs.values():
        program = _latest(versions)
        assert isinstance(program, ProgramEvent)
        portfolios[program.dimension.value].append(program)

    result = {}
    for declared in profile.dimensions:
        key = declared.key.value
        latest_year = max((p.year for p in portfolios[key]), default=None)
        of_year = [p for p in portfolios[key] if p.year == latest_year]
        planned = [p for p in of_year if p.status != "cancelled"]
        completed = [p for p in planned if p.status == "completed"]
        result[key] = DimensionByHand(
            open=opened[key],
            received_today=received[key],
            resolved_today=resolved[key],
            realization_pct=round(100 * len(completed) / len(planned), 2) if planned else None,
            headline=_headline(readings.get(declared.headline_indicator)),
            overdue=overdue[key],
        )
    return result


def _headline(periods: dict[str, list[AnyEvent]] | None) -> Headline | None:
    if not periods:
        return None
    ordered = sorted(periods)  # the simulator's periods are months, "2023-09"
    value = _latest(periods[ordered[-1]])
    newest = _latest([e for versions in periods.values() for e in versions])
    assert isinstance(value, IndicatorEvent) and isinstance(newest, IndicatorEvent)
    previous = _latest(periods[ordered[-2]]) if len(ordered) > 1 else None
    change = None
    if isinstance(previous, IndicatorEvent):
        change = round(value.value - previous.value, 6)
    on_target = None
    if newest.target is not None:
        better_lower = newest.direction == "lower_is_better"
        on_target = value.value <= newest.target if better_lower else value.value >= newest.target
    return Headline(value.value, change, newest.target, on_target, newest.unit, ordered[-1])
