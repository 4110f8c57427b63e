"""Error bodies: Open311's list of {code, description} on the GeoReport routes, as JSON on
the .json routes and as the standard's `<errors>` document on the .xml routes."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from pantau.contract.errors import ContractError
from producers.intake.georeport_xml import MEDIA_TYPE, errors_xml


class Open311ErrorItem(BaseModel):
    code: int
    description: str


class AgencyErrors(BaseModel):
    detail: list[str]


_MEANINGS = {
    400: "The body or a field is not valid; the description names it.",
    403: "The API key is missing or not valid.",
    404: "Nothing with this id or code.",
    413: "The body is larger than the intake accepts.",
    422: "A field is missing or not valid; each entry names one.",
    429: "Over this client's request rate; Retry-After says when to try again.",
}


def open311_errors(*codes: int, xml: bool = False) -> dict[int | str, dict[str, object]]:
    """The `responses` of a GeoReport route: its error codes in the standard's format (on
    an .xml route, its `<errors>` document)."""
    if xml:
        content = {MEDIA_TYPE: {"schema": {"type": "string", "description": "<errors>"}}}
        return {code: {"description": _MEANINGS[code], "content": content} for code in codes}
    return {
        code: {"model": list[Open311ErrorItem], "description": _MEANINGS[code]} for code in codes
    }


def agency_errors(*codes: int) -> dict[int | str, dict[str, object]]:
    """The `responses` of an agencies' route; 413 and 429 come from the middleware, which
    answers in the GeoReport format."""
    return {
        code: {
            "model": AgencyErrors if code in (400, 403, 422) else list[Open311ErrorItem],
            "description": _MEANINGS[code],
        }
        for code in codes
    }


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(description)

    @classmethod
    def from_contract(cls, error: ContractError, code: int = 400) -> Open311Error:
        return cls(code, "; ".join(str(problem) for problem in error.problems))


def is_georeport(path: str) -> bool:
    return path.endswith((".json", ".xml"))


def open311_response(code: int, description: str, path: str = "") -> Response:
    """The standard's error document, in the format the route speaks."""
    if path.endswith(".xml"):
        return errors_xml(code, description)
    return JSONResponse(status_code=code, content=[{"code": code, "description": description}])


async def handle_open311_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, Open311Error)
    return open311_response(error.code, error.description, request.url.path)


async def handle_validation_error(request: Request, error: Exception) -> Response:
    """Name each bad parameter; GeoReport routes answer in the standard's format."""
    assert isinstance(error, RequestValidationError)
    problems = [
        f"{'.'.join(str(part) for part in detail['loc'] if part not in ('query', 'path', 'body'))}"
        f": {detail['msg']}"
        for detail in error.errors()
    ]
    if is_georeport(request.url.path):
        return open311_response(400, "; ".join(problems), request.url.path)
    return JSONResponse(status_code=422, content={"detail": problems})


async def handle_http_error(request: Request, error: Exception) -> Response:
    """The agencies' routes answer {"detail": [...]} whatever went wrong, including a body
    that is not JSON at all (FastAPI's own message names no field). A client of the XML
    routes reads only XML, so it gets the standard's `<errors>` document."""
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, list) else [str(error.detail)]
    if detail == ["There was an error parsing the body"]:
        detail = ["body: not valid JSON"]
    if request.url.path.endswith(".xml"):
        return open311_response(error.status_code, "; ".join(detail), request.url.path)
    return JSONResponse(status_code=error.status_code, content={"detail": detail})
