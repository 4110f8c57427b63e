"""Records to and from their Redis form: compact JSON with a kind tag.

The form is the one records have always had in Redis, byte for byte: a "k" tag, then the
record's fields in order, tuples as arrays, an indicator's readings sorted by period.
msgspec writes complaints and programs straight from the Struct. Indicators hold floats,
and msgspec writes large ones as 1e20 where the form has 1e+20, so orjson writes those:
its floats are the form's. Both are held equal to the first encoder by the unit tests.
"""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec
import orjson

from pantau.state.records import IndicatorRecord, Record

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Record).decode
# How the form writes floats JSON has no literal for (json.loads reads them back).
_NON_FINITE = {math.inf: b"Infinity", -math.inf: b"-Infinity"}


def encode_record(record: Record) -> bytes:
    if type(record) is IndicatorRecord:
        return _encode_indicator(record)
    return _encode(record)


def _encode_indicator(record: IndicatorRecord) -> bytes:
    readings: dict[str, Any] = dict(sorted(record.readings.items()))
    target: Any = record.target
    if not _finite(record):
        readings = {p: (at, e, _number(value)) for p, (at, e, value) in readings.items()}
        target = None if target is None else _number(target)
    return orjson.dumps(
        {
            "k": "i",
            "indicator_id": record.indicator_id,
            "name": record.name,
            "dimension": record.dimension,
            "unit": record.unit,
            "direction": record.direction,
            "target": target,
            "readings": readings,
            "version": record.version,
        }
    )


def _finite(record: IndicatorRecord) -> bool:
    values = [value for _, _, value in record.readings.values()]
    if record.target is not None:
        values.append(record.target)
    return all(math.isfinite(value) for value in values)


def _number(value: float) -> float | orjson.Fragment:
    if math.isfinite(value):
        return value
    return orjson.Fragment(_NON_FINITE.get(value, b"NaN"))


def decode_record(raw: bytes) -> Record:
    try:
        return _decode(raw)
    except msgspec.DecodeError:
        # Infinity or NaN, which the form writes and strict JSON parsers refuse.
        record: Record = msgspec.convert(json.loads(raw), Record)
        return record
