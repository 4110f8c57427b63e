"""The intake over real HTTP, publishing to the real broker and keeping views in Redis."""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn
from pydantic import SecretStr

from pantau.context import Context
from pantau.contract.events import ComplaintEvent, event_from_mapping, parse_event
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS
from pantau.publisher import EventPublisher
from pantau.state.deadlines import stage_times
from producers.intake.app import create_app
from producers.intake.cli import build_context
from tests.factories import complaint_document
from tests.integration.kafka_helpers import consume_until
from tests.integration.worker_helpers import PROFILE, start_worker, stop, wait_caught_up

API_KEY = "test-key-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def intake(live_stack: Settings) -> Iterator[httpx.Client]:
    settings = live_stack.model_copy(update={"intake_api_keys": SecretStr(API_KEY)})
    publisher = EventPublisher(settings, client_id="pantau-intake-test")
    web = create_app(build_context(Context(settings), publisher), max_body_bytes=4096)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        publisher.close()


def _post_complaint(client: httpx.Client, **extra: str) -> httpx.Response:
    form = {
        "api_key": API_KEY,
        "service_code": "sampah",
        "attribute[kelurahan]": "wates",
        "lat": "-7.4711",
        "long": "112.4402",
        "description": "Sampah menumpuk di depan rumah Pak Budi 0812-1111-2222",
        "first_name": "Budi",
        "phone": "081211112222",
        **extra,
    }
    return client.post("/requests.json", data=form)


def test_services_are_the_city_categories(intake: httpx.Client) -> None:
    services = intake.get("/services.json").json()
    assert {"service_code": "sampah", "group": "Smart Environment (Lingkungan)"}.items() <= next(
        s for s in services if s["service_code"] == "sampah"
    ).items()
    definition = intake.get("/services/sampah.json").json()
    kelurahan = definition["attributes"][0]
    assert kelurahan["code"] == "kelurahan" and kelurahan["required"] is True
    assert len(kelurahan["values"]) == 18


async def test_a_posted_complaint_reads_back_and_reaches_kafka(
    intake: httpx.Client, live_stack: Settings
) -> None:
    created = _post_complaint(intake)
    assert created.status_code == 200, created.text
    [receipt] = created.json()
    request_id = receipt["service_request_id"]

    [view] = intake.get(f"/requests/{request_id}.json").json()
    assert view["status"] == "open"
    assert view["service_code"] == "sampah"
    assert view["agency_responsible"] == "Dinas Lingkungan Hidup"
    assert view["address"] == "Kel. Wates, Kec. Magersari"
    assert (view["lat"], view["long"]) == (-7.4711, 112.4402)
    assert "description" not in view

    stored = redis.Redis.from_url(live_stack.redis_url.get_secret_value()).get(
        KeySpace(live_stack.redis_prefix).intake_request(request_id)
    )
    assert stored is not None and b"Budi" not in stored and b"0812" not in stored

    resolved = intake.post(
        "/api/v1/complaint-events",
        json={"complaint_id": request_id, "status": "resolved"},
        headers={"X-API-Key": API_KEY},
    )
    assert resolved.status_code == 202, resolved.text
    [closed] = intake.get("/requests.json", params={"service_request_id": request_id}).json()
    assert (closed["status"], closed["status_notes"]) == ("closed", "resolved")
    listed = intake.get("/requests.json", params={"status": "closed"}).json()
    assert request_id in {r["service_request_id"] for r in listed}

    records = await consume_until(
        live_stack,
        COMPLAINTS.name,
        lambda seen: sum(r.key == request_id.encode() for r in seen) >= 2,
    )
    events = [parse_event(r.value) for r in records if r.key == request_id.encode()]
    assert all(isinstance(e, ComplaintEvent) for e in events)
    assert [e.status for e in events if isinstance(e, ComplaintEvent)] == ["received", "resolved"]
    published = b"".join(r.value for r in records if r.key == request_id.encode())
    assert b"081211112222" not in published and b"first_name" not in published, "no identity"
    assert all(e.dimension == "environment" and e.agency == "dlh" for e in events)  # type: ignore[union-attr]


def test_json_requests_are_accepted_too(intake: httpx.Client) -> None:
    body = {
        "api_key": API_KEY,
        "service_code": "jalan-rusak",
        "address_string": "Jl. Gajah Mada",
        "attribute": {"kelurahan": "miji", "channel": "whatsapp"},
    }
    created = intake.post("/requests.json", json=body)
    assert created.status_code == 200, created.text
    [view] = intake.get(f"/requests/{created.json()[0]['service_request_id']}.json").json()
    assert view["address"] == "Kel. Miji, Kec. Kranggan"


@pytest.mark.parametrize(
    ("extra", "code", "description"),
    [
        ({"api_key": "wrong"}, 403, "api_key: missing or not valid"),
        ({"service_code": "ufo"}, 400, "service_code: no service 'ufo'"),
        ({"attribute[kelurahan]": "menteng"}, 400, "attribute[kelurahan]: not a kelurahan"),
        ({"lat": "95"}, 400, "lat: Input should be less than or equal to 90"),
        ({"attribute[channel]": "pigeon"}, 400, "attribute[channel]: Input should be"),
    ],
)
def test_bad_requests_get_open311_errors_naming_the_field(
    intake: httpx.Client, extra: dict[str, str], code: int, description: str
) -> None:
    answer = _post_complaint(intake, **extra)
    assert answer.status_code == code
    [error] = answer.json()
    assert error["code"] == code
    assert error["description"].startswith(description) or description in error["description"]


def test_unknown_requests_and_services_are_404(intake: httpx.Client) -> None:
    assert intake.get("/requests/MJK-0-none.json").json() == [
        {"code": 404, "description": "service_request_id: no request 'MJK-0-none'"}
    ]
    assert intake.get("/services/ufo.json").status_code == 404


def test_oversized_bodies_are_refused(intake: httpx.Client) -> None:
    answer = _post_complaint(intake, description="x" * 5000)
    assert answer.status_code == 413
    assert answer.json()[0]["description"] == "body: larger than 4096 bytes"

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"a" * 1000

    streamed = intake.post(
        "/requests.json",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413


def test_agency_updates_name_missing_details_for_an_unknown_complaint(intake: httpx.Client) -> None:
    answer = intake.post(
        "/api/v1/complaint-events",
        json={"complaint_id": "EXT-1", "status": "verified"},
        headers={"X-API-Key": API_KEY},
    )
    assert answer.status_code == 422
    detail = json.dumps(answer.json())
    for field in ("channel", "category", "kecamatan", "kelurahan"):
        assert f"complaint.{field}: Field required" in detail
    refused = intake.post(
        "/api/v1/complaint-events", json={"complaint_id": "X", "status": "resolved"}
    )
    assert refused.status_code == 403


async def test_complaints_of_any_producer_are_answered_from_the_live_state(
    intake: httpx.Client, live_stack: Settings, tmp_path: Path
) -> None:
    complaint_id = f"LIVE-{secrets.token_hex(4)}"
    steps = [("received", "2026-11-27T08:00:00+07:00"), ("resolved", "2026-11-27T15:30:00+07:00")]
    # Another, received three weeks ago and never forwarded: past the desk's deadline.
    forgotten = f"LATE-{secrets.token_hex(4)}"
    weeks_ago = (datetime.now(UTC) - timedelta(days=21)).isoformat()
    with EventPublisher(live_stack, client_id="pantau-intake-live-test") as publisher:
        for number, (status, at) in enumerate(steps):
            publisher.publish(
                event_from_mapping(
                    complaint_document(
                        event_id=f"{complaint_id}-{number}",
                        complaint_id=complaint_id,
                        status=status,
                        occurred_at=at,
                    )
                )
            )
        publisher.publish(event_from_mapping(complaint_document(
            event_id=f"{forgotten}-0", complaint_id=forgotten, occurred_at=weeks_ago,
        )))  # fmt: skip
    assert intake.get(f"/requests/{complaint_id}.json").status_code == 404, "not applied yet"

    worker = start_worker(
        live_stack, live_stack.redis_prefix, "pantau-t-intake", 16606, tmp_path / "w.log"
    )
    try:
        await wait_caught_up(live_stack, live_stack.redis_prefix)
    finally:
        stop(worker)
    [view] = intake.get(f"/requests/{complaint_id}.json").json()
    assert (view["status"], view["status_notes"]) == ("closed", "resolved")
    assert view["requested_datetime"].startswith("2026-11-27T01:00:00")  # 08:00 WIB in UTC
    assert view["updated_datetime"].startswith("2026-11-27T08:30:00")
    assert view["address"] == "Kel. Wates, Kec. Magersari"
    assert view["agency_responsible"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    # A road (a field check) is resolved within 60 working days of its receipt: Open311's
    # expected_datetime is that deadline, as the service levels compute it.
    received = int(datetime.fromisoformat(steps[0][1]).timestamp() * 1000)
    resolution = stage_times([(received, "e", "received")], "jalan-rusak", "dpupr",
                             PROFILE.service_levels, PROFILE.timezone)[2]  # fmt: skip
    assert resolution.due_ms is not None
    assert datetime.fromisoformat(view["expected_datetime"]) == datetime.fromtimestamp(
        resolution.due_ms / 1000, UTC
    )
    both = f"{complaint_id},{forgotten}"
    overdue = intake.get("/requests.json", params={"service_request_id": both, "overdue": "true"})
    assert [v["service_request_id"] for v in overdue.json()] == [forgotten]
    on_time = intake.get("/requests.json", params={"service_request_id": both, "overdue": "false"})
    assert [v["service_request_id"] for v in on_time.json()] == [complaint_id]
