"""What intake knows of each service request. The live state the stream keeps is the
authority (any producer's complaints, every agency's status step); what intake itself
has seen fills in until the stream has applied a complaint, and keeps the location pin,
which the live state does not hold."""

from __future__ import annotations

from datetime import UTC, datetime

import redis
from pydantic import AwareDatetime, BaseModel, ConfigDict

from pantau.contract.events import Channel, ComplaintEvent, ComplaintStatus
from pantau.contract.keys import KeySpace
from pantau.state.query import StateQuery
from pantau.state.records import ComplaintRecord

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

    @classmethod
    def from_live(cls, record: ComplaintRecord, seen: RequestView | None) -> RequestView:
        """The live record's status and placement, with intake's pin when it has one."""
        return cls(
            complaint_id=record.complaint_id,
            status=ComplaintStatus(record.status),
            category=record.category,
            dimension=record.dimension,
            agency=record.agency,
            channel=Channel(record.channel),
            kecamatan=record.kecamatan,
            kelurahan=record.kelurahan,
            lat=seen.lat if seen else None,
            lon=seen.lon if seen else None,
            requested_at=datetime.fromtimestamp(record.arrival_ms / 1000, UTC),
            updated_at=datetime.fromtimestamp(record.steps[-1][0] / 1000, UTC),
        )


class RequestStore:
    def __init__(self, client: redis.Redis, keys: KeySpace, live: StateQuery | None = None) -> None:
        self._redis = client
        self._keys = keys
        self._live = live

    def get(self, complaint_id: str) -> RequestView | None:
        raw = self._redis.get(self._keys.intake_request(complaint_id))
        seen = None if raw is None else RequestView.model_validate_json(raw)
        return self._current(complaint_id, seen)

    def get_many(self, complaint_ids: list[str]) -> list[RequestView]:
        if not complaint_ids:
            return []
        raws = self._redis.mget([self._keys.intake_request(i) for i in complaint_ids])
        views = []
        for complaint_id, raw in zip(complaint_ids, raws, strict=True):
            seen = None if raw is None else RequestView.model_validate_json(raw)
            view = self._current(complaint_id, seen)
            if view is not None:
                views.append(view)
        return views

    def _current(self, complaint_id: str, seen: RequestView | None) -> RequestView | None:
        record = self._live.complaint(complaint_id) if self._live else None
        if record is None:
            return seen
        live = RequestView.from_live(record, seen)
        # Intake answers a status step before the stream applies it: keep the newer view.
        return seen if seen is not None and seen.updated_at > live.updated_at else live

    def put(self, view: RequestView) -> None:
        pipeline = self._redis.pipeline(transaction=True)
        pipeline.set(self._keys.intake_request(view.complaint_id), view.model_dump_json())
        pipeline.zadd(
            self._keys.intake_requests, {view.complaint_id: view.requested_at.timestamp()}
        )
        pipeline.execute()

    def requested_between(self, start: datetime, end: datetime, limit: int) -> list[RequestView]:
        ids = self._redis.zrevrangebyscore(
            self._keys.intake_requests, end.timestamp(), start.timestamp(), start=0, num=limit
        )
        return self.get_many([i.decode() if isinstance(i, bytes) else str(i) for i in ids])
