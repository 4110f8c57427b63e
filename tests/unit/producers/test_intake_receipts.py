"""The receipt's routes without Kafka or Redis: what POST /requests answers with, and
how GET /requests/{id}/receipt.json answers an unknown id, a complaint not yet provable
and one that is. Proofs against the real log: tests/integration/test_intake_receipts.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from producers.intake.receipts import Pending, Proven
from tests.unit.producers.intake_harness import API_KEY, Intake, KeptReceipts, intake_app

FORM = {"api_key": API_KEY, "service_code": "sampah", "lat": "-7.47", "long": "112.44",
        "attribute[kelurahan]": "wates", "description": "Sampah menumpuk"}  # fmt: skip


@pytest.fixture
def intake() -> Iterator[Intake]:
    with intake_app(KeptReceipts()) as app:
        yield app


def _receipts(intake: Intake) -> KeptReceipts:
    receipts = intake.client.app.state.intake.receipts  # type: ignore[attr-defined]
    assert isinstance(receipts, KeptReceipts)
    return receipts


def test_a_new_complaint_is_answered_with_its_receipt(intake: Intake) -> None:
    answer = intake.client.post("/requests.json", data=FORM)
    assert answer.status_code == 200, answer.text
    [created] = answer.json()
    [event] = intake.publisher.events
    request_id = created["service_request_id"]
    assert created["receipt"] == {
        "event_id": event.event_id,
        "salt": _receipts(intake).salt(request_id).hex(),
        "url": f"http://testserver/requests/{request_id}/receipt.json",
    }
    assert _receipts(intake).recorded == [(event, 0, 0)]


def test_the_xml_answer_carries_the_receipt_too(intake: Intake) -> None:
    answer = intake.client.post("/requests.xml", data=FORM)
    assert answer.status_code == 200, answer.text
    assert "<receipt><event_id>intake-" in answer.text and "<salt>" in answer.text


def test_an_agency_s_status_step_is_kept_for_the_receipt(intake: Intake) -> None:
    [created] = intake.client.post("/requests.json", data=FORM).json()
    step = intake.client.post(
        "/api/v1/complaint-events",
        json={"complaint_id": created["service_request_id"], "status": "verified"},
        headers={"X-API-Key": API_KEY},
    )
    assert step.status_code == 202, step.text
    assert [e.status.value for e, _, _ in _receipts(intake).recorded] == ["received", "verified"]


def test_an_unknown_request_has_no_receipt_and_is_named(intake: Intake) -> None:
    answer = intake.client.get("/requests/MJK-0-none/receipt.json")
    assert answer.status_code == 404
    assert answer.json() == [
        {"code": 404, "description": "service_request_id: no receipt for request 'MJK-0-none'"}
    ]


def test_a_complaint_not_yet_witnessed_is_recorded_but_not_yet_provable(intake: Intake) -> None:
    [created] = intake.client.post("/requests.json", data=FORM).json()
    request_id = created["service_request_id"]
    reason = "no checkpoint has been co-signed by the profile's quorum yet"
    _receipts(intake).answers[request_id] = Pending(created["receipt"]["event_id"], reason)
    answer = intake.client.get(f"/requests/{request_id}/receipt.json")
    assert answer.status_code == 202
    assert answer.headers["retry-after"] == "60"
    assert answer.json() == {
        "service_request_id": request_id,
        "event_id": created["receipt"]["event_id"],
        "provable": False,
        "description": f"recorded, not yet provable: {reason}",
    }


def test_a_provable_complaint_is_answered_with_its_receipt_file(intake: Intake) -> None:
    receipt = {"proof": "receipt", "service_request_id": "MJK-1", "proofs": []}
    _receipts(intake).answers["MJK-1"] = Proven(receipt)
    answer = intake.client.get("/requests/MJK-1/receipt.json")
    assert answer.status_code == 200
    assert answer.json() == receipt


def test_an_intake_without_the_log_s_secret_gives_no_receipts() -> None:
    with intake_app() as intake:
        [created] = intake.client.post("/requests.json", data=FORM).json()
        assert "receipt" not in created
        answer = intake.client.get(f"/requests/{created['service_request_id']}/receipt.json")
    assert answer.status_code == 404
    assert answer.json()[0]["description"] == "service_request_id: this intake gives no receipts"
