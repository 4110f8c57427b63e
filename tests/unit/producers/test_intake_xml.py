"""Every GeoReport route answers in the standard's XML as well as JSON, with the same
document; errors on the XML routes are the standard's `<errors>`. Read by a client written
from the specification that speaks only XML (tests/georeport_client.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest

from producers.intake.app import openapi_spec
from producers.intake.georeport_xml import render
from tests.georeport_client import GeoReportClient, GeoReportError
from tests.unit.producers.intake_harness import API_KEY, Intake, intake_app

WATES = {"kelurahan": "wates", "channel": "web"}


@pytest.fixture
def intake() -> Iterator[Intake]:
    with intake_app() as app:
        yield app


@pytest.fixture
def client(intake: Intake) -> GeoReportClient:
    return GeoReportClient(intake.client, jurisdiction_id="mojokerto", api_key=API_KEY)


def _as_text(value: Any) -> str | None:
    """A JSON value as the XML carries it: an empty element for nothing."""
    if value is None or value == "":
        return None
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def test_the_service_list_is_the_json_one(intake: Intake, client: GeoReportClient) -> None:
    listed = intake.client.get("/services.json").json()
    assert client.services() == [{k: _as_text(v) for k, v in s.items()} for s in listed]


def test_a_service_definition_carries_its_attributes_and_values(client: GeoReportClient) -> None:
    definition = client.service_definition("sampah")
    kelurahan = next(a for a in definition["attributes"] if a["code"] == "kelurahan")
    assert (kelurahan["required"], kelurahan["datatype"]) == ("true", "singlevaluelist")
    assert {"key": "wates", "name": "Wates (Magersari)"} in kelurahan["values"]
    assert len(kelurahan["values"]) == 18


def test_a_request_posted_in_xml_reads_back_in_xml(intake: Intake, client: GeoReportClient) -> None:
    request_id = client.post_request(
        "sampah",
        WATES,
        lat="-7.4711",
        long="112.4402",
        description="Sampah menumpuk di depan rumah Pak Budi 0812-1111-2222",
        first_name="Budi",
        last_name="Santoso",
        email="budi@example.org",
        phone="081211112222",
    )
    [event] = intake.publisher.events
    assert event.entity_id == request_id
    view = client.request(request_id)
    assert view["service_request_id"] == request_id
    assert (view["status"], view["service_code"]) == ("open", "sampah")
    assert (view["lat"], view["long"]) == ("-7.4711", "112.4402")
    assert view["address"] == "Kel. Wates, Kec. Magersari"
    assert view["media_url"] is None and "description" not in view
    assert [r["service_request_id"] for r in client.requests(service_request_id=request_id)] == [
        request_id
    ]
    assert request_id in {r["service_request_id"] for r in client.requests(status="open")}
    json_view = intake.client.get(f"/requests/{request_id}.json").json()[0]
    assert view == {k: _as_text(v) for k, v in json_view.items()}


@pytest.mark.parametrize(
    ("call", "status", "description"),
    [
        (lambda c: c.service_definition("ufo"), 404, "service_code: no service 'ufo'"),
        (lambda c: c.request("MJK-0-none"), 404, "service_request_id: no request 'MJK-0-none'"),
        (lambda c: c.requests(status="pending"), 400, "status: String should match pattern"),
        (lambda c: c.post_request("ufo", lat="-7.4", long="112.4"), 400, "service_code: no "),
        (lambda c: c.post_request("sampah", WATES, lat="95", long="112.4"), 400, "lat: Input"),
        (lambda c: c.post_request("sampah", lat="-7.4", long="112.4"), 400, "attribute[kelur"),
        (lambda c: c.requests(start_date="0"), 400, "start_date: Value error, expected a W3C"),
        (lambda c: c.requests(end_date="-6.1e-05"), 400, "end_date: Value error, expected a W3C"),
    ],
)
def test_errors_on_xml_routes_are_the_standards_errors_document(
    client: GeoReportClient, call: Any, status: int, description: str
) -> None:
    with pytest.raises(GeoReportError) as raised:
        call(client)
    assert raised.value.status == status
    [(code, said)] = raised.value.errors
    assert code == status and said.startswith(description)


def test_a_wrong_key_gets_403_in_xml(intake: Intake) -> None:
    client = GeoReportClient(intake.client, api_key="wrong")
    with pytest.raises(GeoReportError) as raised:
        client.post_request("sampah", WATES, lat="-7.4", long="112.4")
    assert raised.value.errors == [(403, "api_key: missing or not valid")]


def test_an_oversized_and_a_wrongly_sent_request_get_xml_errors(intake: Intake) -> None:
    big = intake.client.post("/requests.xml", data={"description": "x" * 5000})
    assert (big.status_code, big.headers["content-type"]) == (413, "application/xml")
    assert ElementTree.fromstring(big.content).findtext("error/code") == "413"
    wrong = intake.client.delete("/services.xml")
    assert ElementTree.fromstring(wrong.content).findtext("error/code") == "405"


def test_discovery_names_the_endpoint_and_both_formats(
    intake: Intake, client: GeoReportClient
) -> None:
    found = client.discovery()
    [endpoint] = found["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production" and endpoint["changeset"] == found["changeset"]
    assert intake.client.get("/discovery.json").json()["endpoints"][0]["url"] == endpoint["url"]


def test_text_is_escaped_by_the_xml_library() -> None:
    body = render("errors", [{"code": 404, "description": "no request 'a<b&c>\"'"}])
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert ElementTree.fromstring(body).findtext("error/description") == "no request 'a<b&c>\"'"


def test_every_georeport_route_has_an_xml_twin_in_the_document() -> None:
    paths = openapi_spec()["paths"]
    # A citizen's receipt is Pantau's own route, not the standard's: a proof file for
    # `pantau audit check-proof`, in JSON only.
    own = {"/requests/{service_request_id}/receipt"}
    json_routes = {p.removesuffix(".json") for p in paths if p.endswith(".json")} - own
    assert json_routes == {p.removesuffix(".xml") for p in paths if p.endswith(".xml")}
    assert {"/discovery", "/services", "/requests"} <= json_routes
    for path, operations in paths.items():
        if path.endswith(".xml"):
            for operation in operations.values():
                kinds = {k for answer in operation["responses"].values()
                         for k in answer.get("content", {})}  # fmt: skip
                assert kinds == {"application/xml"}, (path, json.dumps(operation)[:300])
