"""The intake application without Kafka or Redis, for unit tests of its routes: a
publisher that keeps what it was given and a request store in a dict. The integration
tests (tests/integration/test_intake*.py) run the same routes against the real services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from fastapi.testclient import TestClient

from pantau.contract.city import load_city_profile
from pantau.contract.events import AnyEvent
from producers.intake.app import create_app
from producers.intake.context import IntakeContext
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
class Intake:
    client: TestClient
    publisher: KeptPublisher
    store: DictStore


@contextmanager
def intake_app() -> Iterator[Intake]:
    publisher, store = KeptPublisher(), DictStore()
    context = IntakeContext(
        profile=load_city_profile("mojokerto"),
        publisher=publisher,
        store=store,
        api_keys=frozenset({API_KEY}),
        auth_disabled=False,
    )
    with TestClient(create_app(context, max_body_bytes=4096)) as client:
        yield Intake(client, publisher, store)
