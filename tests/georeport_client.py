"""An Open311 GeoReport v2 client that speaks only the standard's XML, written from the
specification (wiki.open311.org/GeoReport_v2 and /Service_Discovery) and nothing of
Pantau: it asks for `.xml` resources, sends form-encoded posts with the standard's field
names (jurisdiction_id, api_key, attribute[code], the identity fields), and reads every
answer, errors included, as XML. Intake's tests hold the intake to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import httpx

Fields = dict[str, str | None]


class GeoReportError(Exception):
    """The `<errors>` document of a failed call."""

    def __init__(self, status: int, errors: list[tuple[int, str]]) -> None:
        self.status = status
        self.errors = errors
        super().__init__(f"HTTP {status}: " + "; ".join(f"{c} {d}" for c, d in errors))


def fields(element: ElementTree.Element) -> Fields:
    """A flat element's children as field: text (None for an empty element)."""
    return {child.tag: child.text for child in element if len(child) == 0}


@dataclass
class GeoReportClient:
    http: httpx.Client  # its base URL is the endpoint's
    jurisdiction_id: str | None = None
    api_key: str | None = None

    def _read(self, response: httpx.Response) -> ElementTree.Element:
        kind = response.headers.get("content-type", "")
        if "xml" not in kind:
            raise AssertionError(f"not XML but {kind!r}: {response.text[:200]}")
        root = ElementTree.fromstring(response.content)
        if response.status_code >= 400 or root.tag == "errors":
            errors = [(int(e.findtext("code") or 0), e.findtext("description") or "")
                      for e in root.iter("error")]  # fmt: skip
            raise GeoReportError(response.status_code, errors)
        return root

    def _get(self, path: str, **params: str) -> ElementTree.Element:
        if self.jurisdiction_id:
            params["jurisdiction_id"] = self.jurisdiction_id
        return self._read(self.http.get(path, params=params))

    def discovery(self) -> dict[str, Any]:
        root = self._get("/discovery.xml")
        assert root.tag == "discovery"
        endpoints = [
            {**fields(e), "formats": [f.text for f in e.iter("format")]}
            for e in root.iter("endpoint")
        ]
        return {**fields(root), "endpoints": endpoints}

    def services(self) -> list[Fields]:
        root = self._get("/services.xml")
        assert root.tag == "services"
        return [fields(service) for service in root.findall("service")]

    def service_definition(self, service_code: str) -> dict[str, Any]:
        root = self._get(f"/services/{service_code}.xml")
        assert root.tag == "service_definition"
        attributes = [
            {**fields(a), "values": [fields(v) for v in a.iter("value")]}
            for a in root.iter("attribute")
        ]
        return {"service_code": root.findtext("service_code"), "attributes": attributes}

    def post_request(
        self, service_code: str, attributes: dict[str, str] | None = None, **given: str
    ) -> str:
        """POST Service Request; the new request's id (this client does not poll tokens)."""
        form = {"service_code": service_code, **given}
        form.update({f"attribute[{code}]": value for code, value in (attributes or {}).items()})
        if self.jurisdiction_id:
            form["jurisdiction_id"] = self.jurisdiction_id
        if self.api_key:
            form["api_key"] = self.api_key
        root = self._read(self.http.post("/requests.xml", data=form))
        assert root.tag == "service_requests"
        request_id = root.findtext("request/service_request_id")
        assert request_id, "a realtime endpoint answers with service_request_id"
        return request_id

    def requests(self, **query: str) -> list[Fields]:
        """GET Service Requests: service_request_id (comma-separated), service_code,
        start_date, end_date, status."""
        root = self._get("/requests.xml", **query)
        assert root.tag == "service_requests"
        return [fields(request) for request in root.findall("request")]

    def request(self, service_request_id: str) -> Fields:
        root = self._get(f"/requests/{service_request_id}.xml")
        assert root.tag == "service_requests"
        [request] = root.findall("request")
        return fields(request)
