"""The record codec writes what the first one wrote, byte for byte, and reads it back.

The first encoder (pydantic_core.to_json of a dict, in reference.py) is the authority: for
any field values, the fast encoder gives the same bytes, and decoding either gives a record
equal to the one encoded. Records already in Redis were written by the first encoder.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.state.codec import decode_record, encode_record
from pantau.state.records import ComplaintRecord, IndicatorRecord, ProgramRecord, Record
from tests.unit.state import reference
from tests.unit.state.test_equivalence import BUILT, _same_folds

# Any text JSON can carry: unicode, quotes, control characters (not lone surrogates,
# which neither encoder writes).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
# Integers of both signs, well past 2**53, within what JSON readers take as integers.
INTEGERS = st.integers(-(2**63), 2**64 - 1)
EDGE_FLOATS = [0.1, 1e-7, 1e20, -0.0, 0.0, 1e16, 1e15, 5e-324, 1.7976931348623157e308,
               -1e22, 2.26, 100.0, 1 / 3, 123456789.123]  # fmt: skip
FLOATS = st.sampled_from(EDGE_FLOATS) | st.floats(allow_nan=False, allow_infinity=False)


def _pair(kind: type[Any], old_kind: type[Any], **fields: Any) -> tuple[Record, Any]:
    return kind(**fields), old_kind(**fields)


@st.composite
def complaints(draw: st.DrawFn) -> tuple[Record, Any]:
    fields = {name: draw(TEXT) for name in ("complaint_id", "dimension", "category", "agency",
                                            "kecamatan", "kelurahan", "channel")}  # fmt: skip
    steps = draw(st.lists(st.tuples(INTEGERS, TEXT, TEXT), min_size=1, max_size=4))
    return _pair(ComplaintRecord, reference.ComplaintRecord, steps=tuple(steps), **fields)


@st.composite
def programs(draw: st.DrawFn) -> tuple[Record, Any]:
    return _pair(
        ProgramRecord, reference.ProgramRecord,
        program_id=draw(TEXT), name=draw(TEXT), dimension=draw(TEXT), agency=draw(TEXT),
        status=draw(TEXT), realization_centi=draw(INTEGERS), year=draw(INTEGERS),
        version=(draw(INTEGERS), draw(TEXT)),
    )  # fmt: skip


@st.composite
def indicators(draw: st.DrawFn, values: st.SearchStrategy[float] = FLOATS) -> tuple[Record, Any]:
    readings = draw(st.dictionaries(TEXT, st.tuples(INTEGERS, TEXT, values), max_size=4))
    return _pair(
        IndicatorRecord, reference.IndicatorRecord,
        indicator_id=draw(TEXT), name=draw(TEXT), dimension=draw(TEXT), unit=draw(TEXT),
        direction=draw(TEXT), target=draw(st.none() | values), readings=readings,
        version=(draw(INTEGERS), draw(TEXT)),
    )  # fmt: skip


def _holds(new: Record, old: Any) -> None:
    written = reference.encode_record(old)
    assert encode_record(new) == written
    assert decode_record(written) == new
    assert reference.decode_record(written) == old


@settings(max_examples=300, deadline=None)
@given(complaints() | programs() | indicators())
def test_every_record_encodes_as_the_first_encoder_did(pair: tuple[Record, Any]) -> None:
    _holds(*pair)


UNICODE = 'Pasar Legi — jalan rusak «Tlōgō» 日本 😀 "q" \\ \n\t\x00\x1f\x7f\u2028'


EDGE_CASES: list[Record] = [
    ComplaintRecord(UNICODE, "living", "jalan-rusak", "dpupr", "magersari", "wates",
                    "whatsapp", ((2**53 + 1, UNICODE, "received"), (2**63 - 1, "", "é"))),
    ProgramRecord(UNICODE, UNICODE, "economy", "x", "completed", 2**63 - 1, 2**53 + 1,
                  (-(2**63), "e")),
    IndicatorRecord("i", UNICODE, "living", "%", "lower_is_better", None, {}, (0, "")),
    IndicatorRecord("i", "n", "living", "%", "higher_is_better", -0.0,
                    {f"p{n}": (2**60 + n, UNICODE, v) for n, v in enumerate(EDGE_FLOATS)},
                    (2**64 - 1, "e")),
    IndicatorRecord("i", "n", "living", "%", "higher_is_better", 1e20, {"2023": (0, "", 1e-7)},
                    (0, "e")),
]  # fmt: skip


@pytest.mark.parametrize("record", EDGE_CASES)
def test_edge_cases_encode_as_the_first_encoder_did(record: Record) -> None:
    fields = {name: getattr(record, name) for name in record.__struct_fields__}
    old = getattr(reference, type(record).__name__)(**fields)
    _holds(record, old)


@settings(max_examples=100, deadline=None)
@given(indicators(st.sampled_from([math.inf, -math.inf, math.nan]) | FLOATS))
def test_values_json_has_no_literal_for_are_written_and_read_as_before(
    pair: tuple[Record, Any],
) -> None:
    """The contract refuses them, but if one came, the record would round-trip as it did."""
    new, old = pair
    written = reference.encode_record(old)
    assert encode_record(new) == written
    assert encode_record(decode_record(written)) == written


def test_readings_are_written_sorted_by_period_whatever_their_order() -> None:
    readings = {"2024": (2, "b", 1.5), "2023-Q1": (1, "a", 2.5), "2023": (0, "c", 0.1)}
    new = IndicatorRecord("i", "n", "living", "%", "lower_is_better", 2.0, readings, (2, "b"))
    old = reference.IndicatorRecord("i", "n", "living", "%", "lower_is_better", 2.0,
                                    readings, (2, "b"))  # fmt: skip
    _holds(new, old)


def test_the_feeds_records_encode_as_the_first_encoder_did() -> None:
    fast, slow = _same_folds([BUILT])  # asserts each changed record's bytes as it goes
    for kind, records in fast.items():
        for entity, record in records.items():
            assert decode_record(reference.encode_record(slow[kind][entity])) == record
