"""Service levels read at an instant: a group's service-level aggregate, judged against
the city's clock (see service_fields.py for what the worker counts).

The worker's fields do not change when time passes; what they mean does. A running
deadline (`sla_due:<stage>:<epoch s>`) is overdue once the instant passes it, so "overdue now"
is exact at whatever instant the wall, Prometheus or an audit asks about, and no timer
has to move anything when a deadline falls.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pantau.contract.service_levels import Stage
from pantau.state.complaints import TTR_BOUNDS
from pantau.state.figures import ServiceFigures
from pantau.state.service_fields import CLOSED_FIELD, DUE, MISSED, ON_TIME, TOOK, UNCOVERED

WINDOW_DAYS = 30  # the on-time rate's window, as the times to resolution have it
DUE_SOON = timedelta(hours=24)


class ServiceJudge:
    """Judges service-level aggregates at `now`; "today" is the city's `today`."""

    def __init__(self, now: datetime, today: date, zone: ZoneInfo) -> None:
        self.now_s = int(now.timestamp())
        self.today_start_s = int(datetime.combine(today, time(), zone).timestamp())
        self.soon_s = self.now_s + int(DUE_SOON.total_seconds())
        self.missed_today = f"{MISSED}{today.isoformat()}"
        window = [(today - timedelta(days=n)).isoformat() for n in range(WINDOW_DAYS)]
        self.closed = [f"{CLOSED_FIELD}{day}" for day in window]
        self.on_time = [f"{ON_TIME}{day}" for day in window]
        bounds = [*(str(b) for b in TTR_BOUNDS), "inf"]
        # Per stage, per bucket bound: the fields of the window's days.
        self.took = {
            stage: [(bound, [f"{TOOK}{stage}:{day}:{bound}" for day in window]) for bound in bounds]
            for stage in Stage
        }

    def figures(self, fields: Counter[str], times: Counter[str] | None = None) -> ServiceFigures:
        """A group's figures from its service-level aggregate, and its stage times' when
        there is one (a dimension's, an agency's) and it was read."""
        overdue = due_soon = fell_due_today = 0
        for name, count in fields.items():
            if not name.startswith(DUE):
                continue
            due_s = int(name.rpartition(":")[2])
            if due_s < self.now_s:
                overdue += count
                if due_s >= self.today_start_s:
                    fell_due_today += count
            elif due_s <= self.soon_s:
                due_soon += count
        closed = sum(fields[name] for name in self.closed)
        on_time = sum(fields[name] for name in self.on_time)
        return ServiceFigures(
            overdue=overdue,
            due_24h=due_soon,
            breached_today=fields[self.missed_today] + fell_due_today,
            closed_30d=closed,
            on_time_30d=on_time,
            on_time_pct_30d=round(100 * on_time / closed, 1) if closed else None,
            uncovered=fields[UNCOVERED],
            forwarding_median_30d_s=self._median(times, Stage.FORWARDING),
            first_action_median_30d_s=self._median(times, Stage.FIRST_ACTION),
            resolution_median_30d_s=self._median(times, Stage.RESOLUTION),
        )

    def _median(self, fields: Counter[str] | None, stage: Stage) -> float | None:
        """The bucket bound the middle one of a stage's durations falls under; the last
        bucket has none, so its lower bound stands for it."""
        if fields is None:
            return None
        counts = [(bound, sum(fields[name] for name in names)) for bound, names in self.took[stage]]
        total = sum(count for _, count in counts)
        if not total:
            return None
        seen = 0
        for bound, count in counts:
            seen += count
            if seen >= total / 2:
                return float(TTR_BOUNDS[-1] if bound == "inf" else int(bound))
        return float(TTR_BOUNDS[-1])

    def overdue_by_stage(self, fields: Counter[str]) -> dict[str, int]:
        """Open complaints past a deadline, by the stage whose deadline it is."""
        found: dict[str, int] = {}
        for name, count in fields.items():
            if name.startswith(DUE) and count:
                stage, _, due_s = name[len(DUE) :].rpartition(":")
                if int(due_s) < self.now_s:
                    found[stage] = found.get(stage, 0) + count
        return found
