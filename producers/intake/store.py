"""What intake has seen of each service request, kept in Redis so every intake instance
answers the same. (Once the stream keeps complaint state, reads move to its query module.)"""

from __future__ import annotations

from datetime import datetime

import redis
from pydantic import AwareDatetime, BaseModel, ConfigDict

from pantau.contract.events import Channel, ComplaintEvent, ComplaintStatus
from pantau.contract.keys import INTAKE_REQUEST_INDEX, intake_request_key

CLOSED = frozenset({ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED})


class RequestView(BaseModel):
    """One complaint as intake knows it: no complainant identity, no free text."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    status: ComplaintStatus
    category: str
    dimension: str
    agency: str
    channel: Channel
    kecamatan: str
    kelurahan: str
    lat: float | None
    lon: float | None
    requested_at: AwareDatetime
    updated_at: AwareDatetime

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    @classmethod
    def first_seen(cls, event: ComplaintEvent) -> RequestView:
        return cls(
            **event.model_dump(
                include={"complaint_id", "status", "category", "dimension", "agency", "channel",
                         "kecamatan", "kelurahan", "lat", "lon"}
            ),
            requested_at=event.occurred_at,
            updated_at=event.occurred_at,
        )  # fmt: skip

    def after(self, event: ComplaintEvent) -> RequestView:
        """The view once `event` is applied; an older event (out of order) changes nothing."""
        if event.occurred_at < self.updated_at:
            return self
        requested = min(self.requested_at, event.occurred_at)
        if event.status is ComplaintStatus.RECEIVED:
            requested = event.occurred_at
        return self.model_copy(
            update={
                "status": event.status,
                "updated_at": event.occurred_at,
                "requested_at": requested,
            }
        )


class RequestStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def get(self, complaint_id: str) -> RequestView | None:
        raw = self._redis.get(intake_request_key(complaint_id))
        return None if raw is None else RequestView.model_validate_json(raw)

    def get_many(self, complaint_ids: list[str]) -> list[RequestView]:
        if not complaint_ids:
            return []
        raws = self._redis.mget([intake_request_key(i) for i in complaint_ids])
        return [RequestView.model_validate_json(raw) for raw in raws if raw is not None]

    def put(self, view: RequestView) -> None:
        pipeline = self._redis.pipeline(transaction=True)
        pipeline.set(intake_request_key(view.complaint_id), view.model_dump_json())
        pipeline.zadd(INTAKE_REQUEST_INDEX, {view.complaint_id: view.requested_at.timestamp()})
        pipeline.execute()

    def requested_between(self, start: datetime, end: datetime, limit: int) -> list[RequestView]:
        ids = self._redis.zrevrangebyscore(
            INTAKE_REQUEST_INDEX, end.timestamp(), start.timestamp(), start=0, num=limit
        )
        return self.get_many([i.decode() if isinstance(i, bytes) else str(i) for i in ids])
