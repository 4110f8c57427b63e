"""schemathesis against the intake's own OpenAPI document, over real HTTP, publishing to
the real broker: generated requests (valid and not) never get a 5xx, and every response
matches the document."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode, checks

from pantau.context import Context
from pantau.contract.settings import Settings
from pantau.publisher import EventPublisher
from producers.intake.app import create_app
from producers.intake.cli import build_context
from producers.intake.ratelimit import Rate
from tests.integration.servers import Server

API_KEY = "contract-key"
# Every check but "schema-valid data is accepted": a request may match the document and
# still name a category or kelurahan the city does not have, which is a 400 by design.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]
PORT = 16630
BASE_URL = f"http://127.0.0.1:{PORT}"
HEADERS = {"X-API-Key": API_KEY}


@pytest.fixture(scope="module")
def intake_schema(live_stack: Settings) -> Iterator[schemathesis.BaseSchema]:
    settings = live_stack.model_copy(update={"intake_api_keys": SecretStr(API_KEY)})
    publisher = EventPublisher(settings, client_id="pantau-intake-contract")
    # Generous limits: this test is about the contract, not the rate limit.
    web = create_app(
        build_context(Context(settings), publisher),
        writes=Rate(10_000, burst=10_000),
        reads=Rate(10_000, burst=10_000),
    )
    try:
        with Server(web, PORT):
            yield schemathesis.openapi.from_url(f"{BASE_URL}/openapi.json")
    finally:
        publisher.close()


def test_every_operation_answers_without_5xx_and_as_documented(
    intake_schema: schemathesis.BaseSchema,
) -> None:
    # Each operation gets its own hypothesis run: valid requests and, with the negative
    # mode, requests that break the document on purpose.
    tried = []
    operations = [result.ok() for result in intake_schema.get_all_operations()]  # type: ignore[union-attr]
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case[Any]) -> None:
            # Sent with httpx: schemathesis' own requests transport trips over the
            # urllib3 replacement that grafana-client's HTTP library installs.
            request = case.as_transport_kwargs(base_url=BASE_URL, headers=HEADERS)
            if isinstance(request.get("data"), bytes | str):
                request["content"] = request.pop("data")  # httpx's name for a raw body
            response = httpx.request(**request, timeout=30)
            case.validate_response(response, headers=HEADERS, checks=CHECKS)

        try:
            call()
        except Unsatisfiable:
            # No input of this operation can break the document (a bare string in the
            # path, say): there is no negative case to send.
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        tried.append((operation.label, mode))
    assert {label for label, mode in tried if mode is GenerationMode.POSITIVE} == {
        operation.label for operation in operations
    }
    assert sum(mode is GenerationMode.NEGATIVE for _, mode in tried) >= 2, tried
