"""Records to and from their Redis form: compact JSON with a kind tag."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pydantic_core

from pantau.state.records import ComplaintRecord, IndicatorRecord, ProgramRecord, Record


def _fields(record: Record) -> dict[str, Any]:
    # The declared fields only: a record also caches derived values on itself.
    return {field.name: getattr(record, field.name) for field in fields(record)}


def encode_record(record: Record) -> bytes:
    if isinstance(record, ComplaintRecord):
        body: dict[str, Any] = {
            "k": "c",
            **_fields(record),
            "steps": [list(s) for s in record.steps],
        }
    elif isinstance(record, ProgramRecord):
        body = {"k": "p", **_fields(record), "version": list(record.version)}
    else:
        body = {
            "k": "i",
            **_fields(record),
            "readings": {p: list(r) for p, r in sorted(record.readings.items())},
            "version": list(record.version),
        }
    # pydantic_core's JSON is the compact form json.dumps gives, several times faster.
    return pydantic_core.to_json(body)


def decode_record(raw: bytes) -> Record:
    body = pydantic_core.from_json(raw)
    kind = body.pop("k")
    if kind == "c":
        body["steps"] = tuple(tuple(step) for step in body["steps"])
        return ComplaintRecord(**body)
    body["version"] = tuple(body["version"])
    if kind == "p":
        return ProgramRecord(**body)
    body["readings"] = {period: tuple(reading) for period, reading in body["readings"].items()}
    return IndicatorRecord(**body)
