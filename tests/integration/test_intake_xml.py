"""The intake as a GeoReport v2 client in the field sees it: over real HTTP, publishing to
the real broker and keeping its views in Redis, spoken to only in XML by a client written
from the specification (tests/georeport_client.py), posting as FixMyStreet's Open311
module does (form-encoded, jurisdiction_id, identity fields, attribute[code])."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from pantau.context import Context
from pantau.contract.events import ComplaintEvent, parse_event
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS
from pantau.publisher import EventPublisher
from producers.intake.app import create_app
from producers.intake.cli import build_context
from tests.georeport_client import GeoReportClient, GeoReportError
from tests.integration.kafka_helpers import consume_until
from tests.integration.servers import Server
from tests.integration.test_intake import _free_port

API_KEY = "xml-client-key"


@pytest.fixture(scope="module")
def client(live_stack: Settings) -> Iterator[GeoReportClient]:
    settings = live_stack.model_copy(
        update={"intake_api_keys": SecretStr(API_KEY), "intake_contact": "pantau@example.org"}
    )
    publisher = EventPublisher(settings, client_id="pantau-intake-xml-test")
    port = _free_port()
    try:
        with (
            Server(create_app(build_context(Context(settings), publisher)), port),
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
        ):
            yield GeoReportClient(http, jurisdiction_id="mojokerto", api_key=API_KEY)
    finally:
        publisher.close()


def test_discovery_points_to_this_endpoint_in_xml(client: GeoReportClient) -> None:
    found = client.discovery()
    assert found["contact"] == "pantau@example.org"
    [endpoint] = found["endpoints"]
    assert endpoint["url"] == str(client.http.base_url).rstrip("/")
    assert "text/xml" in endpoint["formats"]


async def test_a_complaint_goes_from_xml_to_kafka_and_reads_back(
    client: GeoReportClient, live_stack: Settings
) -> None:
    services = {s["service_code"]: s for s in client.services()}
    assert services["sampah"]["metadata"] == "true"
    definition = client.service_definition("sampah")
    required = [a["code"] for a in definition["attributes"] if a["required"] == "true"]
    assert required == ["kelurahan"]
    kelurahan = next(a for a in definition["attributes"] if a["code"] == "kelurahan")
    wates = next(v["key"] for v in kelurahan["values"] if str(v["name"]).startswith("Wates"))

    request_id = client.post_request(
        "sampah",
        {"kelurahan": str(wates)},
        lat="-7.4711",
        long="112.4402",
        description="Sampah menumpuk di depan rumah Pak Budi 0812-1111-2222",
        first_name="Budi",
        last_name="Santoso",
        email="budi@example.org",
        phone="081211112222",
    )
    view = client.request(request_id)
    assert (view["status"], view["service_code"]) == ("open", "sampah")
    assert view["agency_responsible"] == "Dinas Lingkungan Hidup"
    assert view["address"] == "Kel. Wates, Kec. Magersari"
    assert request_id in {r["service_request_id"] for r in client.requests(status="open")}

    records = await consume_until(
        live_stack, COMPLAINTS.name, lambda seen: any(r.key == request_id.encode() for r in seen)
    )
    [event] = [parse_event(r.value) for r in records if r.key == request_id.encode()]
    assert isinstance(event, ComplaintEvent)
    assert (event.category, event.kelurahan, event.status) == ("sampah", "wates", "received")


@pytest.mark.parametrize(
    ("service_code", "given", "status", "description"),
    [
        ("ufo", {"lat": "-7.47", "long": "112.44"}, 400, "service_code: no service 'ufo'"),
        ("sampah", {"lat": "-7.47", "long": "112.44"}, 400, "attribute[kelurahan]: Field"),
        ("sampah", {"lat": "95", "long": "112.44"}, 400, "lat: Input should be less than"),
    ],
)
def test_refusals_come_as_the_standards_xml_errors(
    client: GeoReportClient, service_code: str, given: dict[str, str], status: int,
    description: str,
) -> None:  # fmt: skip
    with pytest.raises(GeoReportError) as raised:
        client.post_request(service_code, None, **given)
    [(code, said)] = raised.value.errors
    assert (raised.value.status, code) == (status, status)
    assert said.startswith(description)


def test_unknown_things_are_404_in_xml(client: GeoReportClient) -> None:
    for call in (lambda: client.request("MJK-0-none"), lambda: client.service_definition("ufo")):
        with pytest.raises(GeoReportError) as raised:
            call()
        assert raised.value.status == 404 and raised.value.errors[0][0] == 404
