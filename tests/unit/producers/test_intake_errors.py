"""Which error a GeoReport POST gets when several things are wrong: the one a client must
fix first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.producers.intake_harness import API_KEY, Intake, intake_app


@pytest.fixture
def intake() -> Iterator[Intake]:
    with intake_app() as app:
        yield app


def _post(intake: Intake, **fields: str) -> tuple[int, list[dict[str, object]]]:
    answer = intake.client.post("/requests.json", data={"api_key": API_KEY, **fields})
    return answer.status_code, answer.json()


def test_an_unknown_service_code_is_named_not_the_attributes_it_would_need(
    intake: Intake,
) -> None:
    status, body = _post(intake, service_code="ufo", lat="-7.47", long="112.44")
    assert status == 400
    assert body == [
        {
            "code": 400,
            "description": "service_code: no service 'ufo'; "
            "GET /services.json lists this city's services",
        }
    ]
    assert intake.publisher.events == []


def test_an_unknown_service_code_sent_as_json_is_named_too(intake: Intake) -> None:
    answer = intake.client.post(
        "/requests.json",
        json={"api_key": API_KEY, "service_code": "ufo", "address_string": "Jl. Majapahit"},
    )
    assert answer.status_code == 400
    assert answer.json()[0]["description"].startswith("service_code: no service 'ufo'")


def test_a_service_code_that_is_no_code_at_all_is_named_without_being_quoted(
    intake: Intake,
) -> None:
    status, body = _post(intake, service_code="<b>Budi 0812</b>", lat="-7.47", long="112.44")
    assert status == 400
    description = str(body[0]["description"])
    assert description.startswith("service_code: String should match pattern")
    assert "Budi" not in description


def test_a_known_service_still_needs_its_kelurahan(intake: Intake) -> None:
    status, body = _post(intake, service_code="sampah", lat="-7.47", long="112.44")
    assert status == 400
    assert body[0]["description"] == "attribute[kelurahan]: Field required"


def test_a_request_for_a_known_service_is_published(intake: Intake) -> None:
    status, body = _post(
        intake,
        service_code="sampah",
        lat="-7.47",
        long="112.44",
        **{"attribute[kelurahan]": "wates"},
    )
    assert status == 200, body
    [event] = intake.publisher.events
    assert body[0]["service_request_id"] == event.entity_id
    assert event.category == "sampah"  # type: ignore[union-attr]


def test_a_search_ending_in_year_one_answers_an_empty_list(intake: Intake) -> None:
    # The default window (90 days before end_date) would begin before any datetime.
    answer = intake.client.get(
        "/requests.json",
        params={"end_date": "0001-01-01T00:10:15Z"},
        headers={"x-api-key": API_KEY},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == []
