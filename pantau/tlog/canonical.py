"""The canonical form of a record's JSON, the bytes a leaf commits to: keys sorted, no
spaces, UTF-8 unescaped, numbers as orjson writes them (the shortest decimal that reads
back as the same double).

It is a function of the JSON value, not of how the producer spelled it, so a faithful
re-serialisation of the log (an export, another topic) gives the same leaves. The value is
the one Python's json reads: integers exact at any size, NaN and Infinity kept as those
tokens. orjson reads and writes about four times faster than json, but reads an integer
beyond 64 bits as a float (two different records, one form): such a float is at least
2**63, which orjson writes with an exponent ("e+"), so any form with "e+" in it (rare:
huge numbers, or those letters in a text) is made again with the exact reader. What
neither reads as JSON, or nests deeper than orjson writes (254 levels), is committed as
it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from typing import Any

import orjson

Document = dict[str, Any]
Edit = Callable[[Document], None]

_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1
_SORTED = orjson.OPT_SORT_KEYS
_MAYBE_ROUNDED = b"e+"


def canonical(raw: bytes, edit: Edit | None = None) -> bytes:
    """The canonical bytes of `raw`; `edit` may change a top-level object before it is
    written (the blinding of free text)."""
    return canonical_forms((raw,), edit)[0]


def canonical_forms(records: Iterable[bytes], edit: Edit | None = None) -> list[bytes]:
    """`canonical` of each record: the log's hot loop, so its names are bound locally."""
    loads, dumps, decode_error, encode_error = (
        orjson.loads, orjson.dumps, orjson.JSONDecodeError, orjson.JSONEncodeError,
    )  # fmt: skip
    forms: list[bytes] = []
    add = forms.append
    for raw in records:
        try:
            value = loads(raw)
        except decode_error:
            add(_exactly(raw, edit))  # NaN or Infinity, or not JSON
            continue
        if edit is not None and type(value) is dict:
            edit(value)
        try:
            form = dumps(value, option=_SORTED)
        except encode_error:
            form = raw
        add(form if _MAYBE_ROUNDED not in form else _exactly(raw, edit))
    return forms


def _exactly(raw: bytes, edit: Edit | None) -> bytes:
    try:
        value = json.loads(raw)
        if edit is not None and type(value) is dict:
            edit(value)
        return orjson.dumps(_spelled_out(value), option=_SORTED)
    except (ValueError, RecursionError, orjson.JSONEncodeError):
        return raw


def _spelled_out(value: Any) -> Any:
    """`value` with what orjson cannot write (integers beyond 64 bits, NaN, Infinity)
    replaced by their literal JSON text, as json reads and writes them."""
    if type(value) is int and not _INT64_MIN <= value <= _UINT64_MAX:
        return orjson.Fragment(str(value).encode())
    if type(value) is float and not math.isfinite(value):
        return orjson.Fragment(json.dumps(value).encode())
    if type(value) is dict:
        return {key: _spelled_out(item) for key, item in value.items()}
    if type(value) is list:
        return [_spelled_out(item) for item in value]
    return value
