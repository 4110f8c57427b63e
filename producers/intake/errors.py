"""Error bodies: Open311's list of {code, description} on the GeoReport routes."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pantau.contract.errors import ContractError


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(description)

    @classmethod
    def from_contract(cls, error: ContractError, code: int = 400) -> Open311Error:
        return cls(code, "; ".join(str(problem) for problem in error.problems))


def open311_response(code: int, description: str) -> JSONResponse:
    return JSONResponse(status_code=code, content=[{"code": code, "description": description}])


async def handle_open311_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Open311Error)
    return open311_response(error.code, error.description)


async def handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    """Name each bad parameter; GeoReport routes answer in the standard's format."""
    assert isinstance(error, RequestValidationError)
    problems = [
        f"{'.'.join(str(part) for part in detail['loc'] if part not in ('query', 'path', 'body'))}"
        f": {detail['msg']}"
        for detail in error.errors()
    ]
    if request.url.path.endswith(".json"):
        return open311_response(400, "; ".join(problems))
    return JSONResponse(status_code=422, content={"detail": problems})
