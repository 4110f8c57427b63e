"""The intake application: routes, authentication, request-size and rate limits, error
formats."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from producers.intake import agency, discovery, open311, receipt_route
from producers.intake.context import IntakeContext
from producers.intake.errors import (
    Open311Error,
    handle_http_error,
    handle_open311_error,
    handle_validation_error,
    is_georeport,
    open311_response,
)
from producers.intake.ratelimit import Rate, RateLimit

DEFAULT_WRITES = Rate(per_second=20, burst=40)
DEFAULT_READS = Rate(per_second=100, burst=200)


def create_app(
    context: IntakeContext,
    *,
    max_body_bytes: int = 64 * 1024,
    writes: Rate = DEFAULT_WRITES,
    reads: Rate = DEFAULT_READS,
) -> FastAPI:
    app = _routes(max_body_bytes)
    # Outermost, so that a client over its rate costs no body reading or parsing.
    app.add_middleware(RateLimit, writes=writes, reads=reads)
    app.state.intake = context
    return app


def openapi_spec() -> dict[str, Any]:
    """The spec is a property of the routes alone, so it is built without services."""
    return _routes(max_body_bytes=64 * 1024).openapi()


def _routes(max_body_bytes: int) -> FastAPI:
    app = FastAPI(
        title="Pantau intake",
        version="1",
        description="Citizen complaints (Open311 GeoReport v2) and agencies' status updates.",
    )
    app.include_router(discovery.router)
    app.include_router(open311.router)
    app.include_router(receipt_route.router)
    app.include_router(agency.router)
    app.add_exception_handler(Open311Error, handle_open311_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)

    @app.get("/health", tags=["Operations"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    _without_422_on_georeport(app)
    return app


def _without_422_on_georeport(app: FastAPI) -> None:
    """FastAPI documents a 422 for every route with parameters; the GeoReport routes answer
    a bad parameter with the standard's 400 instead (errors.handle_validation_error), in
    JSON or XML, so their document must not promise a JSON 422."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for path, operations in generate()["paths"].items():
                if is_georeport(path):
                    for operation in operations.values():
                        operation["responses"].pop("422", None)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


class BodySizeLimit:
    """Refuse a request body over the limit with 413, whether or not it declares a length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLargeError:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = open311_response(413, f"body: larger than {self.max_bytes} bytes", scope["path"])
        await response(scope, receive, send)


class _BodyTooLargeError(Exception):
    pass
