"""How current the wall's figures are: the verdict behind the page's banner.

The worker is judged from outside (dashboards/wall/lag.py reads Kafka and Redis) by the
age of the oldest event it has not applied yet, not by how many wait nor by when it last
committed:

- a quiet city commits nothing for long stretches, and its figures are still complete;
- a busy worker always has some events in hand (a few hundred during a burst), each
  applied within a second or two;
- a stopped or stuck worker leaves even three events waiting for ever.

Only the age tells these apart. `stale_after` (PANTAU_WALL_STALE_AFTER, 30 s) is above
what a working worker makes an event wait: it works a burst or a bulk load off at about
20,000 events a second, the benchmark's overload on two shared cores kept the p99 under
15 s, and a restarted worker's partitions are handed on within the session timeout
(10 s) and one rebalance. Yet the room is told within half a minute. Kafka that cannot
be read gets the same patience: one failed reading is no news.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

WorkerState = Literal["current", "behind", "unknown"]
# The page says it is not being updated once this many heartbeats have passed without a
# snapshot: one late beat (a slow Redis read, a busy TV) is no news, three in a row are.
SILENT_AFTER_BEATS = 3


@dataclass(frozen=True)
class LagReading:
    """One reading of the event topics (dashboards/wall/lag.py)."""

    read_at: datetime
    behind: Mapping[str, int]  # topic -> events not applied yet
    # When the oldest of those reached Kafka; None when none waits.
    oldest_waiting: datetime | None = None

    @property
    def events_behind(self) -> int:
        return sum(self.behind.values())

    @property
    def as_of(self) -> datetime:
        """Every event that reached Kafka before this time is in the figures."""
        return self.oldest_waiting or self.read_at


class Freshness(BaseModel):
    """The snapshot's account of its own age, which the page turns into its banner."""

    checked_at: datetime  # when this snapshot was read: a new one at least every heartbeat
    silent_after_seconds: float  # the page says so when no snapshot came for this long
    worker: WorkerState
    as_of: datetime | None  # every event that reached Kafka before this is in the figures
    events_behind: int | None  # None: Kafka could not be read lately, the lag is unknown
    last_commit_at: datetime | None  # as the wall saw it; None: not since the wall started
    lag_read_at: datetime | None  # when Kafka's end offsets were last read


def judge(
    reading: LagReading | None,
    last_commit_at: datetime | None,
    now: datetime,
    stale_after: timedelta,
    heartbeat: timedelta,
) -> Freshness:
    """The worker is behind once an event has waited longer than `stale_after`; unknown
    once Kafka has not been read for that long (or ever); current otherwise."""
    worker: WorkerState
    if reading is None or now - reading.read_at > stale_after:
        worker = "unknown"
    elif reading.oldest_waiting is not None and now - reading.oldest_waiting > stale_after:
        worker = "behind"
    else:
        worker = "current"
    return Freshness(
        checked_at=now,
        silent_after_seconds=(SILENT_AFTER_BEATS * heartbeat).total_seconds(),
        worker=worker,
        as_of=None if reading is None else reading.as_of,
        events_behind=None if worker == "unknown" or reading is None else reading.events_behind,
        last_commit_at=last_commit_at,
        lag_read_at=None if reading is None else reading.read_at,
    )
