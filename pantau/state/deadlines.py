"""Each stage of one complaint: when its clock started, when it was due, when it was met.

A pure function of the complaint's status steps, in the form the complaint record keeps
them ((occurred_at ms, event_id, status), see records.py), its category and its agency,
so that the complaint fold can later call it as
`stage_times(record.steps, record.category, record.agency, profile.service_levels,
profile.timezone)`. Every time in it is a minimum or a maximum over the set of steps
(never "the step that arrived next"), so steps that arrive late, twice or out of order
give the same result once all have arrived.

The stages and what ends them:

- forwarding: from the first "received" to the first of dispatched, in_progress, resolved
  or rejected. A desk that rejects a report, or answers it at once, has met it.
- first_action: from the first "dispatched" to the first of in_progress, resolved or
  rejected after it.
- resolution: from the first "received", or from the latest "reopened" when there is
  one (a reopening starts the clock again), to the first resolved or rejected after
  that. A rejection in time counts as met.

A stage whose starting step has not arrived (yet) has no times at all: a report the desk
rejects is never dispatched, so the agency's first action neither started nor was met.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.contract.service_levels import ServiceLevels, Stage
from pantau.state.calendar import epoch_ms
from pantau.state.working_time import due_at

Step = tuple[int, str, str]  # (occurred_at ms, event_id, status)

_ENDS = {
    Stage.FORWARDING: frozenset({"dispatched", "in_progress", "resolved", "rejected"}),
    Stage.FIRST_ACTION: frozenset({"in_progress", "resolved", "rejected"}),
    Stage.RESOLUTION: frozenset({"resolved", "rejected"}),
}


@dataclass(frozen=True, slots=True)
class StageTimes:
    stage: Stage
    started_ms: int | None
    due_ms: int | None
    met_ms: int | None  # None while the stage runs

    @property
    def met_in_time(self) -> bool | None:
        """True or False once both ends are known, else None."""
        if self.due_ms is None or self.met_ms is None:
            return None
        return self.met_ms <= self.due_ms


def stage_times(
    steps: Collection[Step], category: str, agency: str, levels: ServiceLevels, tz: ZoneInfo
) -> tuple[StageTimes, StageTimes, StageTimes]:
    """(forwarding, first_action, resolution) of one complaint.

    Raises OutsideCalendarError when a due time would need a day the committed calendar
    does not cover.
    """
    received = _earliest(steps, "received")
    reopened = max((at for at, _, status in steps if status == "reopened"), default=None)

    def times(stage: Stage, started: int | None) -> StageTimes:
        if started is None:
            return StageTimes(stage, None, None, None)
        ends = _ENDS[stage]
        met = min((at for at, _, status in steps if status in ends and at >= started),
                  default=None)  # fmt: skip
        deadline = levels.deadline(stage, category, agency)
        calendar, hours = levels.working_calendar, levels.office_hours
        due = due_at(_instant(started, tz), deadline, calendar, hours, tz)
        return StageTimes(stage, started, epoch_ms(due), met)

    return (
        times(Stage.FORWARDING, received),
        times(Stage.FIRST_ACTION, _earliest(steps, "dispatched")),
        times(Stage.RESOLUTION, reopened if reopened is not None else received),
    )


def _earliest(steps: Collection[Step], status: str) -> int | None:
    return min((at for at, _, step_status in steps if step_status == status), default=None)


def _instant(ms: int, tz: ZoneInfo) -> datetime:
    """Epoch milliseconds as an aware datetime, exactly (no float division)."""
    seconds, millis = divmod(ms, 1000)
    return datetime.fromtimestamp(seconds, tz) + timedelta(milliseconds=millis)
