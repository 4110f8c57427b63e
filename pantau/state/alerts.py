"""Alert records in Redis, as the notifier keeps them and the wall shows them: one JSON
value per fingerprint and an index by last change. Every change is a read-modify-write
under WATCH, so the notifier and an operator's acknowledgement never overwrite each
other. The transitions themselves live with the notifier (consumers/alerts/lifecycle.py).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

import redis
from pydantic import AwareDatetime, BaseModel, ConfigDict

from pantau.contract.keys import KeySpace


class AlertState(StrEnum):
    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    fingerprint: str
    alertname: str
    source: str  # "stream" (the spike detector) or "prometheus"
    state: AlertState
    summary: str
    labels: dict[str, str]
    evidence: dict[str, Any]
    started_at: AwareDatetime
    updated_at: AwareDatetime
    acknowledged_by: str | None = None
    acknowledged_at: AwareDatetime | None = None
    acknowledgement_comment: str | None = None
    resolved_at: AwareDatetime | None = None

    @property
    def active(self) -> bool:
        return self.state is not AlertState.RESOLVED


Change = Callable[[AlertRecord | None], AlertRecord | None]


class AlertStore:
    def __init__(self, client: redis.Redis, keys: KeySpace) -> None:
        self.redis = client
        self.keys = keys

    def key(self, fingerprint: str) -> str:
        return self.keys.alert(fingerprint)

    @property
    def index(self) -> str:
        return self.keys.alert_index

    @property
    def changes_channel(self) -> str:
        """Where each change is announced (the fingerprint), so the wall need not poll."""
        return self.keys.alert_changes_channel

    def get(self, fingerprint: str) -> AlertRecord | None:
        raw = self.redis.get(self.key(fingerprint))
        return None if raw is None else AlertRecord.model_validate_json(raw)

    def all(self, include_resolved: bool = False) -> list[AlertRecord]:
        fingerprints = [f.decode() for f in self.redis.zrevrange(self.index, 0, -1)]  # type: ignore[union-attr]
        raws = self.redis.mget([self.key(f) for f in fingerprints]) if fingerprints else []
        records = [AlertRecord.model_validate_json(raw) for raw in raws if raw is not None]
        return [r for r in records if include_resolved or r.active]

    def update(self, fingerprint: str, change: Change) -> AlertRecord | None:
        """Apply `change` atomically; the new record, or None when nothing changed."""
        key = self.key(fingerprint)
        with self.redis.pipeline() as pipeline:
            while True:
                try:
                    pipeline.watch(key)  # type: ignore[no-untyped-call]
                    raw = pipeline.get(key)
                    current = None if raw is None else AlertRecord.model_validate_json(raw)
                    changed = change(current)
                    if changed is None:
                        pipeline.unwatch()
                        return None
                    pipeline.multi()
                    pipeline.set(key, changed.model_dump_json())
                    pipeline.zadd(self.index, {fingerprint: changed.updated_at.timestamp()})
                    pipeline.publish(self.changes_channel, fingerprint)
                    pipeline.execute()
                    return changed
                except redis.WatchError:
                    continue
