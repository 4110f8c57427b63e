"""A citizen's receipt over Open311: the part of the answer to POST /requests that names
the event which recorded the complaint, its salt and where its proof will be, and
`GET /requests/{id}/receipt.json`, which serves that proof once the log can give it.

The receipt route is Pantau's own, beside the standard's routes, in JSON only: the
receipt file is what `pantau audit check-proof` reads. Before a checkpoint covers the
event it answers 202 Accepted with Retry-After, as for any request still being worked
on, and a body saying what is awaited; an id intake published nothing for is a 404 in
the standard's error format.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pantau.contract.events import ComplaintEvent
from producers.intake.context import IntakeContext, intake_context
from producers.intake.errors import Open311Error, open311_errors
from producers.intake.receipts import Pending

router = APIRouter(tags=["Open311 GeoReport v2"])
Context = Annotated[IntakeContext, Depends(intake_context)]
RETRY_AFTER_SECONDS = 60  # the checkpointer signs at least once a minute while events flow


class NotYetProvable(BaseModel):
    service_request_id: str
    event_id: str
    provable: bool = False
    description: str


async def receipt_of(
    request: Request, context: IntakeContext, event: ComplaintEvent, place: tuple[int, int]
) -> dict[str, Any] | None:
    """Keep the published event for its proof; for a new complaint, the receipt to
    answer with (None when this intake gives no receipts)."""
    if context.receipts is None:
        return None
    await run_in_threadpool(context.receipts.record, event, *place)
    url = request.url_for("receipt", service_request_id=event.complaint_id)
    return {
        "event_id": event.event_id,
        "salt": context.receipts.salt(event.complaint_id).hex(),
        "url": str(url),
    }


@router.get(
    "/requests/{service_request_id}/receipt.json",
    name="receipt",
    response_model=None,
    responses={
        200: {"description": "A receipt file: the inclusion proofs of the complaint's events."},
        202: {"model": NotYetProvable, "description": "Recorded, not yet provable."},
        **open311_errors(404, 429),
    },
)
async def get_receipt(service_request_id: str, context: Context) -> JSONResponse:
    if context.receipts is None:
        raise Open311Error(404, "service_request_id: this intake gives no receipts")
    answer = await context.receipts.answer(service_request_id)
    if answer is None:
        raise Open311Error(
            404, f"service_request_id: no receipt for request {service_request_id!r}"
        )
    if isinstance(answer, Pending):
        body = NotYetProvable(
            service_request_id=service_request_id,
            event_id=answer.event_id,
            description=f"recorded, not yet provable: {answer.reason}",
        )
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(body.model_dump(), status_code=202, headers=headers)
    return JSONResponse(answer.receipt)
