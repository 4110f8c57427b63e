"""What incidents are formed from, in Redis: the spike alerts' changes as the notifier
applied them, and the operators' acknowledgements and the webhooks' last word per
incident. Incidents themselves are not stored: every reader forms them from the same
changes with the same rule (pantau/detection/incidents.py), so the wall, `pantau alerts`
and the webhooks cannot disagree about which alerts belong together."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import redis
from pydantic import AwareDatetime, BaseModel, ConfigDict

from pantau.contract.alerts import AlertEvent
from pantau.contract.keys import KeySpace
from pantau.detection.incidents import AlertChange

# A week of changes: far longer than any surge, short enough to form incidents from on
# every read.
KEPT_MINUTES = 7 * 24 * 60


class Acknowledgement(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: str
    at: AwareDatetime
    comment: str = ""  # acknowledgements kept before comments existed have none


class Escalation(BaseModel):
    """How far an incident's paging has gone, on the machine's clock (epoch seconds):
    people answer in real time, whatever the events' time."""

    model_config = ConfigDict(frozen=True)

    tier: int
    paged_at: float
    sent_at: float


class IncidentLog:
    def __init__(self, client: redis.Redis, keys: KeySpace) -> None:
        self.redis = client
        self.keys = keys

    def append(self, event: AlertEvent) -> None:
        """Keep a spike alert's change. The same event kept twice is kept once."""
        minute = AlertChange.from_event(event).minute
        with self.redis.pipeline() as pipeline:
            pipeline.zadd(self.keys.incident_changes, {event.model_dump_json(): minute})
            pipeline.zremrangebyscore(self.keys.incident_changes, "-inf", minute - KEPT_MINUTES)
            pipeline.publish(self.keys.alert_changes_channel, event.fingerprint)
            pipeline.execute()

    def events(self) -> list[AlertEvent]:
        """The kept changes, oldest first."""
        raws = cast(list[bytes], self.redis.zrange(self.keys.incident_changes, 0, -1))
        return [AlertEvent.model_validate_json(raw) for raw in raws]

    def acknowledgements(self) -> dict[str, Acknowledgement]:
        raws = cast(dict[bytes, bytes], self.redis.hgetall(self.keys.incident_acknowledgements))
        return {key.decode(): Acknowledgement.model_validate_json(v) for key, v in raws.items()}

    def acknowledge(self, incident_id: str, by: str, at: datetime, comment: str = "") -> bool:
        """The first acknowledgement of an incident stands; False if it had one."""
        taken = Acknowledgement(by=by, at=at, comment=comment).model_dump_json()
        first = bool(self.redis.hsetnx(self.keys.incident_acknowledgements, incident_id, taken))
        if first:
            self.redis.publish(self.keys.alert_changes_channel, incident_id)
        return first

    def notified(self) -> dict[str, str]:
        raws = cast(dict[bytes, bytes], self.redis.hgetall(self.keys.incident_notified))
        return {key.decode(): value.decode() for key, value in raws.items()}

    def mark_notified(self, incident_id: str, state: str) -> None:
        self.redis.hset(self.keys.incident_notified, incident_id, state)

    def escalations(self) -> dict[str, Escalation]:
        raws = cast(dict[bytes, bytes], self.redis.hgetall(self.keys.incident_escalation))
        return {key.decode(): Escalation.model_validate_json(v) for key, v in raws.items()}

    def mark_escalation(self, incident_id: str, escalation: Escalation) -> None:
        self.redis.hset(self.keys.incident_escalation, incident_id, escalation.model_dump_json())

    def forget(self, incident_ids: list[str]) -> None:
        if incident_ids:
            with self.redis.pipeline() as pipeline:
                pipeline.hdel(self.keys.incident_acknowledgements, *incident_ids)
                pipeline.hdel(self.keys.incident_notified, *incident_ids)
                pipeline.hdel(self.keys.incident_escalation, *incident_ids)
                pipeline.execute()
