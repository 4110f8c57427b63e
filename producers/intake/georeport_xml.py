"""GeoReport v2's XML: the standard's required format, built from the same documents the
JSON routes return. The standard names each list's items (`<services>` holds `<service>`
elements, `<service_requests>` holds `<request>`, ...); everything else maps one key to
one element. Built with xml.etree, so text is escaped by the library, not by hand."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from starlette.responses import Response

# The element of each item of a list, by the list's element.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
MEDIA_TYPE = "application/xml"


class XMLResponse(Response):
    media_type = MEDIA_TYPE
    charset = "utf-8"


def render(root: str, document: Any) -> bytes:
    """`document` (what the JSON route answers) as the XML document `root`, UTF-8 with its
    declaration, as the standard asks."""
    element = ElementTree.Element(root)
    _fill(element, root, document)
    rendered: bytes = ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)
    return rendered


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        item = ITEMS[name]
        for entry in value:
            _fill(ElementTree.SubElement(element, item), item, entry)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _fill(ElementTree.SubElement(element, key), key, entry)
    elif value is None:
        pass  # an empty element: the standard's way to say "no value"
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def errors_xml(code: int, description: str) -> XMLResponse:
    body = render("errors", [{"code": code, "description": description}])
    return XMLResponse(body, status_code=code)
