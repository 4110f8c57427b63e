"""Open311 Service Discovery (`/discovery.json`, `/discovery.xml`), which GeoReport v2
requires: where the endpoint is, in which formats, whom to contact, where to get a key,
and since when its service list stands (clients refresh their cached services when the
changeset moves)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from producers.intake.context import IntakeContext, intake_context
from producers.intake.formats import georeport

router = APIRouter(tags=["Open311 GeoReport v2"])
Context = Annotated[IntakeContext, Depends(intake_context)]
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]


@georeport(router, "/discovery", "discovery")
def discovery(request: Request, context: Context) -> dict[str, Any]:
    changeset = context.started_at.replace(microsecond=0).isoformat()
    return {
        "changeset": changeset,
        "contact": context.contact,
        "key_service": context.key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                # Where this request arrived: the GeoReport routes sit at the root.
                "url": str(request.base_url).rstrip("/"),
                "changeset": changeset,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }
