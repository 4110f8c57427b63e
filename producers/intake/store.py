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
from pantau.state.calendar import epoch_ms
from pantau.state.complaints import calendar
from pantau.state.query import StateQuery
from pantau.state.records import ComplaintRecord
from pantau.state.service_fields import ServiceClock

CLOSED = frozenset({ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED})
# A view's fields computed when it is read, never stored: time changes what they say.
DEADLINES = frozenset({"expected_at", "due_at"})


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
    # From the city's service levels when read (RequestStore): its resolution's deadline,
    # and the earliest deadline of a stage still running while it is open.
    expected_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now

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


def _provisional(view: RequestView) -> ComplaintRecord:
    """A record of what intake saw, until the stream has applied it: received when it was
    requested, and its latest status since."""
    steps: tuple[tuple[int, str, str], ...] = ((epoch_ms(view.requested_at), "", "received"),)
    if view.status is not ComplaintStatus.RECEIVED:
        steps += ((epoch_ms(view.updated_at), "~", view.status.value),)
    return ComplaintRecord(view.complaint_id, view.dimension, view.category, view.agency,
                           view.kecamatan, view.kelurahan, view.channel.value, steps)  # fmt: skip


def _instant(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


class RequestStore:
    def __init__(self, client: redis.Redis, keys: KeySpace, live: StateQuery | None = None) -> None:
        self._redis = client
        self._keys = keys
        self._live = live
        # Deadlines come with the live state's profile; without it, views have none.
        self._service = None if live is None else ServiceClock.of(live.profile)

    def now(self) -> datetime:
        """The instant deadlines are judged at: the live state's clock (settings.clock)."""
        return self._live.now() if self._live is not None else datetime.now(UTC)

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
            return None if seen is None else self._with_deadlines(seen, _provisional(seen))
        live = RequestView.from_live(record, seen)
        # Intake answers a status step before the stream applies it: keep the newer view.
        if seen is not None and seen.updated_at > live.updated_at:
            return self._with_deadlines(seen, _provisional(seen))
        return self._with_deadlines(live, record)

    def _with_deadlines(self, view: RequestView, record: ComplaintRecord) -> RequestView:
        if self._service is None:
            return view
        resolution, running = self._service.deadlines(record, calendar(self._service.zone))
        return view.model_copy(update={"expected_at": _instant(resolution),
                                       "due_at": _instant(running)})  # fmt: skip

    def put(self, view: RequestView) -> None:
        pipeline = self._redis.pipeline(transaction=True)
        stored = view.model_dump_json(exclude=set(DEADLINES))
        pipeline.set(self._keys.intake_request(view.complaint_id), stored)
        pipeline.zadd(
            self._keys.intake_requests, {view.complaint_id: view.requested_at.timestamp()}
        )
        pipeline.execute()

    def requested_between(self, start: datetime, end: datetime, limit: int) -> list[RequestView]:
        ids = self._redis.zrevrangebyscore(
            self._keys.intake_requests, end.timestamp(), start.timestamp(), start=0, num=limit
        )
        return self.get_many([i.decode() if isinstance(i, bytes) else str(i) for i in ids])
