"""The intake application without Kafka or Redis, for unit tests of its routes: a
publisher that keeps what it was given and a request store in a dict. The integration
tests (tests/integration/test_intake*.py) run the same routes against the real services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from pantau.contract.city import load_city_profile
from pantau.contract.events import AnyEvent, ComplaintEvent
from producers.intake.app import create_app
from producers.intake.context import IntakeContext
from producers.intake.receipts import Pending, Proven
from producers.intake.store import RequestView

API_KEY = "unit-key"


@dataclass
class KeptPublisher:
    events: list[AnyEvent] = field(default_factory=list)

    def publish_confirmed(self, event: AnyEvent, timeout: float = 30.0) -> tuple[int, int]:
        self.events.append(event)
        return 0, len(self.events) - 1


@dataclass
class DictStore:
    views: dict[str, RequestView] = field(default_factory=dict)
    clock: datetime | None = None  # the instant deadlines are judged at; None: real time

    def now(self) -> datetime:
        return self.clock or datetime.now(UTC)

    def get(self, complaint_id: str) -> RequestView | None:
        return self.views.get(complaint_id)

    def get_many(self, complaint_ids: list[str]) -> list[RequestView]:
        return [self.views[i] for i in complaint_ids if i in self.views]

    def put(self, view: RequestView) -> None:
        self.views[view.complaint_id] = view

    def requested_between(self, start: datetime, end: datetime, limit: int) -> list[RequestView]:
        found = [v for v in self.views.values() if start <= v.requested_at <= end]
        return sorted(found, key=lambda v: v.requested_at, reverse=True)[:limit]


@dataclass
class KeptReceipts:
    """Receipts in a dict: what was recorded, and the answer the test sets per complaint
    (the real ones, against the real log, are in tests/integration/test_intake_receipts.py)."""

    recorded: list[tuple[ComplaintEvent, int, int]] = field(default_factory=list)
    answers: dict[str, Proven | Pending] = field(default_factory=dict)

    def salt(self, complaint_id: str) -> bytes:
        return complaint_id.encode().ljust(32, b"\0")[:32]

    def record(self, event: ComplaintEvent, partition: int, offset: int) -> None:
        self.recorded.append((event, partition, offset))

    async def answer(self, complaint_id: str) -> Proven | Pending | None:
        return self.answers.get(complaint_id)


@dataclass
class Intake:
    client: TestClient
    publisher: KeptPublisher
    store: DictStore


@contextmanager
def intake_app(receipts: KeptReceipts | None = None) -> Iterator[Intake]:
    publisher, store = KeptPublisher(), DictStore()
    context = IntakeContext(
        profile=load_city_profile("mojokerto"),
        publisher=publisher,
        store=store,
        api_keys=frozenset({API_KEY}),
        auth_disabled=False,
        receipts=receipts,
    )
    with TestClient(create_app(context, max_body_bytes=4096)) as client:
        yield Intake(client, publisher, store)
