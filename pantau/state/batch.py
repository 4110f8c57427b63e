"""One partition's batch, folded in memory: the pure heart shared by live and replay.

fold_batch is fold_events, then changes. A caller that keeps records and running totals
of its own can call those two directly, into its own dicts, and skip fold_batch's copy of
`before` and its final pass dropping the zeros (nonzero).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pantau.state.complaints import Totals, add_complaint, calendar
from pantau.state.contributions import Contribution, add_change, nonzero
from pantau.state.facts import FoldEvent
from pantau.state.records import FOLDS, ComplaintRecord, Record
from pantau.state.service_fields import ServiceClock


@dataclass(frozen=True)
class FoldResult:
    changed: dict[str, Record]  # entity id -> its new record, only where it changed
    aggregates: Contribution  # aggregate key suffix -> field -> increment
    unchanged: int  # events that changed nothing: duplicates or superseded


def fold_batch(
    before: Mapping[str, Record | None],
    events: Iterable[FoldEvent],
    zone: ZoneInfo,
    service: ServiceClock | None = None,
) -> FoldResult:
    """Apply events to the records they touch; `before` holds each entity's stored record.
    `service` (the city's deadlines) adds the complaints' service-level fields."""
    current: dict[str, Record | None] = dict(before)
    unchanged = fold_events(current, events)
    totals: Totals = defaultdict(dict)
    changed = changes(before, current, totals, zone, service)
    return FoldResult(changed, nonzero(totals), unchanged)


def fold_events(records: dict[str, Record | None], events: Iterable[FoldEvent]) -> int:
    """Fold each event into `records` (entity id -> record, updated in place); returns
    how many events changed nothing."""
    folds, get = FOLDS, records.get
    unchanged = 0
    for event in events:
        entity = event.entity_id
        old = get(entity)
        new = folds[event.kind](old, event)
        # A fold returns the record it was given when nothing changes (see records.py).
        if new is old:
            unchanged += 1
        else:
            records[entity] = new
    return unchanged


def changes(
    before: Mapping[str, Record | None],
    after: Mapping[str, Record | None],
    totals: Totals,
    zone: ZoneInfo,
    service: ServiceClock | None = None,
) -> dict[str, Record]:
    """The records in `after` that differ from `before`, their aggregate deltas added to
    `totals`. A record that changed is a new object: it only ever grows, so it is never
    equal to what it was (fold_events keeps the object when nothing changes)."""
    days = calendar(zone)
    was = before.get
    changed: dict[str, Record] = {}
    for entity, record in after.items():
        old = was(entity)
        if record is not old and record is not None:
            changed[entity] = record
            if type(record) is ComplaintRecord and (old is None or type(old) is ComplaintRecord):
                # add_change's common case, directly
                add_complaint(totals, old, record, days, service)
            else:
                add_change(totals, old, record, days, service)
    return changed
