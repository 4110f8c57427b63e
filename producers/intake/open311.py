"""Open311 GeoReport v2: the standard interface for city service requests.

Services are the city profile's complaint categories; a request needs the
`attribute[kelurahan]` the service definition lists. Complainant identity fields of the
standard (first_name, email, phone, ...) are accepted and dropped: Pantau keeps no
personal identity. Responses never carry the complaint's free text.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from pantau.contract.errors import ContractError
from pantau.contract.events import Channel, ComplaintEvent, ComplaintStatus, Slug
from producers.intake.context import IntakeContext, intake_context
from producers.intake.errors import Open311Error
from producers.intake.formats import georeport
from producers.intake.receipt_route import receipt_of
from producers.intake.store import RequestView

router = APIRouter(tags=["Open311 GeoReport v2"])
Context = Annotated[IntakeContext, Depends(intake_context)]
MAX_RESULTS = 1000
_SLUG: TypeAdapter[str] = TypeAdapter(Slug)


def _not_a_number(value: object) -> object:
    # pydantic would read "0" or "1700000000" as seconds since 1970; the standard's dates
    # are W3C date-times, and a number there is a client's mistake worth naming.
    # Whatever float() reads is a number, exponents ("-6.1e-05") included.
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("expected a W3C date-time such as 2026-11-28T09:00:00+07:00")
    return value


W3CDateTime = Annotated[datetime, BeforeValidator(_not_a_number)]


class ServiceRequestForm(BaseModel):
    """The fields of POST /requests.json that Pantau uses; others are ignored."""

    model_config = ConfigDict(extra="ignore")

    service_code: Slug
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    kelurahan: Slug = Field(alias="attribute[kelurahan]")
    channel: Channel = Field(default=Channel.WEB, alias="attribute[channel]")


@georeport(router, "/services", "services")
def list_services(context: Context) -> list[dict[str, Any]]:
    labels = {d.key: d.label_id for d in context.profile.dimensions}
    agencies = {a.key: a.name for a in context.profile.agencies}
    return [
        {
            "service_code": category.key,
            "service_name": category.label_id,
            "description": f"{category.label_en}; ditangani {agencies[category.agency]}",
            "metadata": True,
            "type": "realtime",
            "keywords": category.dimension.value,
            "group": labels[category.dimension],
        }
        for category in context.profile.categories
    ]


@georeport(router, "/services/{service_code}", "service_definition", errors=(404,))
def service_definition(service_code: str, context: Context) -> dict[str, Any]:
    if service_code not in context.profile.category_by_key:
        raise Open311Error(404, f"service_code: no service {service_code!r}")
    kelurahan = [
        {"key": kel.key, "name": f"{kel.name} ({kec.name})"}
        for kec in context.profile.kecamatan
        for kel in kec.kelurahan
    ]
    channels = [{"key": c.value, "name": c.value} for c in Channel]
    return {
        "service_code": service_code,
        "attributes": [
            _list_attribute("kelurahan", "Kelurahan lokasi aduan", kelurahan, True, 1),
            _list_attribute("channel", "Kanal pengaduan", channels, False, 2),
        ],
    }


def _request_body() -> dict[str, Any]:
    """The body `create_request` reads itself (form-encoded or JSON), for the document."""
    schema = ServiceRequestForm.model_json_schema(by_alias=True)
    schema["properties"]["api_key"] = {"type": "string", "description": "Or X-API-Key."}
    # One location is required: coordinates or an address.
    schema["anyOf"] = [{"required": ["lat", "long"]}, {"required": ["address_string"]}]
    content = {"schema": schema}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": content, "application/json": content},
        }
    }


@georeport(
    router,
    "/requests",
    "service_requests",
    method="POST",
    errors=(403, 413),
    openapi_extra=_request_body(),
)
async def create_request(request: Request, context: Context) -> list[dict[str, Any]]:
    fields = await _submitted_fields(request)
    presented = fields.get("api_key") or request.headers.get("x-api-key")
    if not context.key_accepted(presented):
        raise Open311Error(403, "api_key: missing or not valid")
    _require_known_service(fields.get("service_code"), context)
    try:
        form = ServiceRequestForm.model_validate(fields)
    except ValidationError as error:
        raise Open311Error.from_contract(ContractError.from_validation(error)) from None
    if form.lat is None and form.long is None and not form.address_string:
        raise Open311Error(400, "lat/long or address_string: one location is required")
    event = _received_event(form, context)
    try:
        context.profile.check(event)
    except ContractError as error:
        raise Open311Error.from_contract(error) from None
    place = await run_in_threadpool(context.publisher.publish_confirmed, event)
    await run_in_threadpool(context.store.put, RequestView.first_seen(event))
    answer = {"service_request_id": event.complaint_id, "service_notice": "", "account_id": None}
    receipt = await receipt_of(request, context, event, place)
    return [answer if receipt is None else {**answer, "receipt": receipt}]


@georeport(router, "/requests", "service_requests")
def search_requests(
    context: Context,
    service_request_id: Annotated[str | None, Query(description="Comma-separated ids")] = None,
    service_code: Annotated[str | None, Query()] = None,
    start_date: Annotated[W3CDateTime | None, Query()] = None,
    end_date: Annotated[W3CDateTime | None, Query()] = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)(,(open|closed))?$")] = None,
    overdue: Annotated[
        bool | None,
        Query(
            description="true: only open requests past a service-level deadline of a stage "
            "not yet done; false: only the others. Pantau's extension of the standard."
        ),
    ] = None,
) -> list[dict[str, Any]]:
    if service_request_id:
        views = context.store.get_many([i.strip() for i in service_request_id.split(",")])
    else:
        # The standard's default window: the last 90 days.
        end = _aware(end_date) or datetime.now(UTC)
        start = _aware(start_date) or _days_before(end, 90)
        views = context.store.requested_between(start, end, MAX_RESULTS)
    wanted = set(status.split(",")) if status else {"open", "closed"}
    now = context.store.now()
    return [
        _as_open311(view, context)
        for view in views
        if (service_code is None or view.category in service_code.split(","))
        and ("open" if view.is_open else "closed") in wanted
        and (overdue is None or view.overdue(now) == overdue)
    ]


@georeport(router, "/requests/{service_request_id}", "service_requests", errors=(404,))
def get_request(service_request_id: str, context: Context) -> list[dict[str, Any]]:
    view = context.store.get(service_request_id)
    if view is None:
        raise Open311Error(404, f"service_request_id: no request {service_request_id!r}")
    return [_as_open311(view, context)]


def _require_known_service(code: object, context: IntakeContext) -> None:
    """The service decides which attributes a request needs, so an unknown one is the
    error to name: not the attributes of a service that does not exist. A code that is not
    even a slug is left to the form's validation, which names the field without quoting it."""
    if not isinstance(code, str) or code in context.profile.category_by_key:
        return
    try:
        known = _SLUG.validate_python(code)
    except ValidationError:
        return
    raise Open311Error(
        400, f"service_code: no service {known!r}; GET /services.json lists this city's services"
    )


def _received_event(form: ServiceRequestForm, context: IntakeContext) -> ComplaintEvent:
    category = context.profile.category_by_key[form.service_code]
    kecamatan = context.profile.kecamatan_of_kelurahan.get(form.kelurahan)
    if kecamatan is None:
        raise Open311Error(400, "attribute[kelurahan]: not a kelurahan of this city")
    now = datetime.now(context.profile.timezone)
    return ComplaintEvent(
        event_id=f"intake-{uuid.uuid4().hex}",
        occurred_at=now,
        produced_at=now,
        source="intake",
        complaint_id=context.profile.city.new_complaint_id(now, secrets.token_hex(4)),
        status=ComplaintStatus.RECEIVED,
        channel=form.channel,
        category=category.key,
        dimension=category.dimension,
        agency=category.agency,
        kecamatan=kecamatan,
        kelurahan=form.kelurahan,
        lat=form.lat,
        lon=form.long,
        description=form.description,
    )


async def _submitted_fields(request: Request) -> dict[str, Any]:
    """Form-encoded, as the standard says, or JSON (flat or with an `attribute` object)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise Open311Error(400, "body: not valid JSON") from None
        if not isinstance(body, dict):
            raise Open311Error(400, "body: expected a JSON object")
        attributes = body.pop("attribute", None) or {}
        if not isinstance(attributes, dict):
            raise Open311Error(400, "attribute: expected an object")
        return {**body, **{f"attribute[{k}]": v for k, v in attributes.items()}}
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _as_open311(view: RequestView, context: IntakeContext) -> dict[str, Any]:
    category = context.profile.category_by_key.get(view.category)
    agencies = {a.key: a.name for a in context.profile.agencies}
    return {
        "service_request_id": view.complaint_id,
        "status": "open" if view.is_open else "closed",
        "status_notes": view.status.value,
        "service_name": category.label_id if category else view.category,
        "service_code": view.category,
        "agency_responsible": agencies.get(view.agency, view.agency),
        "service_notice": "",
        "requested_datetime": view.requested_at.isoformat(),
        "updated_datetime": view.updated_at.isoformat(),
        # The resolution's deadline under the city's service levels.
        "expected_datetime": None if view.expected_at is None else view.expected_at.isoformat(),
        "address": context.profile.address_of(view.kelurahan),
        "address_id": None,
        "zipcode": None,
        "lat": view.lat,
        "long": view.lon,
        "media_url": None,
    }


def _list_attribute(
    code: str, description: str, values: list[dict[str, str]], required: bool, order: int
) -> dict[str, Any]:
    return {
        "variable": True,
        "code": code,
        "datatype": "singlevaluelist",
        "required": required,
        "datatype_description": None,
        "order": order,
        "description": description,
        "values": values,
    }


def _days_before(moment: datetime, days: int) -> datetime:
    """`days` before `moment`, or the first moment a datetime holds when that is earlier
    (an end_date in year 1 is a valid date, and nothing was requested before it)."""
    try:
        return moment - timedelta(days=days)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
