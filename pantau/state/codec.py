"""Records to and from their Redis form: compact JSON with a kind tag."""

from __future__ import annotations

import json
from typing import Any

from pantau.state.records import ComplaintRecord, IndicatorRecord, ProgramRecord, Record


def encode_record(record: Record) -> bytes:
    if isinstance(record, ComplaintRecord):
        body: dict[str, Any] = {
            "k": "c",
            **record.__dict__,
            "steps": [list(s) for s in record.steps],
        }
    elif isinstance(record, ProgramRecord):
        body = {"k": "p", **record.__dict__, "version": list(record.version)}
    else:
        body = {
            "k": "i",
            **record.__dict__,
            "readings": {p: list(r) for p, r in sorted(record.readings.items())},
            "version": list(record.version),
        }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def decode_record(raw: bytes) -> Record:
    body = json.loads(raw)
    kind = body.pop("k")
    if kind == "c":
        body["steps"] = tuple(tuple(step) for step in body["steps"])
        return ComplaintRecord(**body)
    body["version"] = tuple(body["version"])
    if kind == "p":
        return ProgramRecord(**body)
    body["readings"] = {period: tuple(reading) for period, reading in body["readings"].items()}
    return IndicatorRecord(**body)
