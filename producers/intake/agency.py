"""The agencies' JSON endpoint: a complaint's status steps (verified, dispatched,
in_progress, resolved, rejected, reopened) from the systems of the OPD that handle them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from pantau.contract.errors import ContractError
from pantau.contract.events import Channel, ComplaintEvent, ComplaintStatus, Identifier, Slug
from pantau.contract.events import event_from_mapping as validate_event
from producers.intake.context import IntakeContext, intake_context
from producers.intake.errors import agency_errors
from producers.intake.store import DEADLINES, RequestView

router = APIRouter(prefix="/api/v1", tags=["Agencies"])
Context = Annotated[IntakeContext, Depends(intake_context)]


class StatusUpdate(BaseModel):
    """A status step. Details may be left out when intake already knows the complaint."""

    model_config = ConfigDict(extra="forbid")

    complaint_id: Identifier
    status: ComplaintStatus
    occurred_at: AwareDatetime | None = Field(default=None, description="Default: now.")
    event_id: Identifier | None = Field(default=None, description="Default: generated.")
    source: Identifier = "agency-system"
    channel: Channel | None = None
    category: Slug | None = None
    kecamatan: Slug | None = None
    kelurahan: Slug | None = None
    lat: float | None = None
    lon: float | None = None


class Accepted(BaseModel):
    event_id: str
    complaint_id: str
    status: ComplaintStatus
    partition: int
    offset: int


@router.post("/complaint-events", status_code=202, responses=agency_errors(400, 403, 413, 422, 429))
async def post_status(
    update: StatusUpdate,
    context: Context,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Accepted:
    if not context.key_accepted(x_api_key):
        raise HTTPException(status_code=403, detail=["X-API-Key: missing or not valid"])
    known = await run_in_threadpool(context.store.get, update.complaint_id)
    event = _status_event(update, known, context)
    partition, offset = await run_in_threadpool(context.publisher.publish_confirmed, event)
    view = known.after(event) if known else RequestView.first_seen(event)
    await run_in_threadpool(context.store.put, view)
    if context.receipts is not None:
        # A later status step is provable by its own event, as the complaint's receipt shows.
        await run_in_threadpool(context.receipts.record, event, partition, offset)
    return Accepted(
        event_id=event.event_id,
        complaint_id=event.complaint_id,
        status=event.status,
        partition=partition,
        offset=offset,
    )


def _status_event(
    update: StatusUpdate, known: RequestView | None, context: IntakeContext
) -> ComplaintEvent:
    document: dict[str, Any] = {}
    if known is not None:
        document.update(known.model_dump(exclude={"requested_at", "updated_at", "status",
                                                  *DEADLINES}))  # fmt: skip
    document.update(update.model_dump(exclude_none=True))
    category = context.profile.category_by_key.get(document.get("category", ""))
    if category is not None:
        document.setdefault("dimension", category.dimension)
        document.setdefault("agency", category.agency)
    now = datetime.now(context.profile.timezone)
    document.setdefault("occurred_at", now)
    document.setdefault("event_id", f"agency-{uuid.uuid4().hex}")
    document.update(kind="complaint", produced_at=now)
    try:
        event = validate_event(document)
        context.profile.check(event)
    except ContractError as error:
        raise HTTPException(status_code=422, detail=[str(p) for p in error.problems]) from None
    assert isinstance(event, ComplaintEvent)
    return event
