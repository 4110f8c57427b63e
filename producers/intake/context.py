"""What every intake endpoint works with, built once at start-up."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from fastapi import Request

from pantau.contract.city import CityProfile
from pantau.contract.events import AnyEvent, ComplaintEvent
from producers.intake.receipts import Pending, Proven
from producers.intake.store import RequestView


class ConfirmingPublisher(Protocol):
    def publish_confirmed(self, event: AnyEvent, timeout: float = 30.0) -> tuple[int, int]: ...


class RequestViews(Protocol):
    """What the routes ask of the request store (producers/intake/store.py)."""

    def get(self, complaint_id: str) -> RequestView | None: ...

    def get_many(self, complaint_ids: list[str]) -> list[RequestView]: ...

    def put(self, view: RequestView) -> None: ...

    def requested_between(
        self, start: datetime, end: datetime, limit: int
    ) -> list[RequestView]: ...

    def now(self) -> datetime: ...


class ReceiptDesk(Protocol):
    """What the routes ask of the receipts (producers/intake/receipts.py)."""

    def salt(self, complaint_id: str) -> bytes: ...

    def record(self, event: ComplaintEvent, partition: int, offset: int) -> None: ...

    async def answer(self, complaint_id: str) -> Proven | Pending | None: ...


@dataclass(frozen=True)
class IntakeContext:
    profile: CityProfile
    publisher: ConfirmingPublisher
    store: RequestViews
    api_keys: frozenset[str]
    auth_disabled: bool
    contact: str = ""  # Open311 discovery: whom to contact, where to ask for a key
    key_service: str = ""
    receipts: ReceiptDesk | None = None  # None: no log's secret here, so no receipts
    # The service list comes from the city profile read at start-up, so it can only have
    # changed when intake started: discovery's changeset.
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def key_accepted(self, presented: str | None) -> bool:
        if self.auth_disabled:
            return True
        if not presented:
            return False
        # Constant-time comparison against every key, so timing reveals nothing.
        matches = [hmac.compare_digest(presented, key) for key in self.api_keys]
        return any(matches)


def intake_context(request: Request) -> IntakeContext:
    context: IntakeContext = request.app.state.intake
    return context
