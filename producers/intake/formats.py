"""Each GeoReport route in both of the standard's formats: `{path}.json` answers the
handler's document as JSON, `{path}.xml` the same document as the standard's XML (which
the standard requires and clients such as FixMyStreet's speak). One handler serves both,
so the two formats cannot drift apart."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from starlette.responses import Response

from producers.intake.errors import open311_errors
from producers.intake.georeport_xml import MEDIA_TYPE, XMLResponse, render

Handler = TypeVar("Handler", bound=Callable[..., Any])
# Every GeoReport route may answer 400 (a bad parameter) and 429 (the rate limit).
ALWAYS = (400, 429)


def georeport(
    router: APIRouter,
    path: str,
    root: str,
    *,
    method: str = "GET",
    errors: tuple[int, ...] = (),
    **options: Any,
) -> Callable[[Handler], Handler]:
    """Register the decorated handler at `{path}.json` and `{path}.xml`; `root` is the
    XML document's root element (`services`, `service_requests`, ...)."""
    codes = tuple(sorted({*ALWAYS, *errors}))

    def register(handler: Handler) -> Handler:
        router.add_api_route(
            f"{path}.json", handler, methods=[method], responses=open311_errors(*codes), **options
        )
        document = {"description": f"The <{root}> document.",
                    "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}  # fmt: skip
        router.add_api_route(
            f"{path}.xml",
            _as_xml(handler, root),
            methods=[method],
            response_class=XMLResponse,
            response_model=None,
            responses={200: document, **open311_errors(*codes, xml=True)},
            **options,
        )
        return handler

    return register


def _as_xml(handler: Callable[..., Any], root: str) -> Callable[..., Any]:
    # FastAPI reads the parameters through functools.wraps and runs a plain function in its
    # thread pool: the wrapper keeps the handler's kind so blocking reads stay off the loop.
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def answer_async(*args: Any, **kwargs: Any) -> Response:
            return XMLResponse(render(root, await handler(*args, **kwargs)))

        return answer_async

    @functools.wraps(handler)
    def answer(*args: Any, **kwargs: Any) -> Response:
        return XMLResponse(render(root, handler(*args, **kwargs)))

    return answer
