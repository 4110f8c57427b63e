"""Alert records in Redis: one JSON value per fingerprint and an index by last change.
Every change is a read-modify-write under WATCH, so the consumer and an operator's
acknowledgement never overwrite each other."""

from __future__ import annotations

from collections.abc import Callable

import redis

from consumers.alerts.lifecycle import AlertRecord

Change = Callable[[AlertRecord | None], AlertRecord | None]


class AlertStore:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.redis = client
        self.prefix = prefix

    def key(self, fingerprint: str) -> str:
        return f"{self.prefix}:alerts:{fingerprint}"

    @property
    def index(self) -> str:
        return f"{self.prefix}:alerts:index"

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
                    pipeline.execute()
                    return changed
                except redis.WatchError:
                    continue
