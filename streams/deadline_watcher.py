"""The deadline watcher: pages an agency whose complaints pile up past one stage's
deadline, and lets go once they are dealt with.

Each round it judges every agency's service-level aggregate at the live state's clock
(pantau/state/service_judge.py) and hands the overdue counts per agency and stage to the
breach tracker (pantau/detection/breaches.py), which decides what fires and resolves. It
runs in the detector's loop (`pantau run detect`), so one process watches surges and
deadlines, and its state (what is firing since when) is kept in Redis like the
detector's, so a restart neither pages twice nor forgets a breach.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

import redis

from pantau.contract.alerts import AlertEvent, Stage
from pantau.contract.keys import KeySpace
from pantau.contract.topics import COMPLAINTS
from pantau.detection.breaches import BreachTracker, Key
from pantau.state.query import StateQuery
from pantau.state.service_fields import service_suffix
from pantau.state.service_judge import ServiceJudge


class DeadlineWatcher:
    def __init__(
        self, query: StateQuery, client: redis.Redis, keys: KeySpace, tracker: BreachTracker
    ) -> None:
        self.query = query
        self.redis = client
        self.state_key = keys.deadline_watcher_state
        self.tracker = tracker
        profile = query.profile
        self.suffixes = {a.key: service_suffix("agency", a.key) for a in profile.agencies}
        raw = client.get(self.state_key)
        if raw is not None:
            tracker.restore(json.loads(raw))

    def overdue(self, now: datetime) -> dict[Key, int]:
        """Open complaints past a deadline, per agency and stage, at `now`."""
        profile = self.query.profile
        judge = ServiceJudge(now, now.astimezone(profile.timezone).date(), profile.timezone)
        found = self.query.summed(COMPLAINTS, list(self.suffixes.values()))
        return {
            (agency, cast(Stage, stage)): count
            for agency, suffix in self.suffixes.items()
            for stage, count in judge.overdue_by_stage(found[suffix]).items()
        }

    def evaluate(self) -> list[AlertEvent]:
        """The breach alerts that change now; their state is saved with them."""
        now = self.query.now()
        changes = self.tracker.step(self.overdue(now), now)
        self.redis.set(self.state_key, json.dumps(self.tracker.state()))
        return changes
