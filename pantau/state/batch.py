"""One partition's batch, folded in memory: the pure heart shared by live and replay."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pantau.contract.events import AnyEvent
from pantau.state.contributions import Contribution, delta
from pantau.state.records import Record, apply_event


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
