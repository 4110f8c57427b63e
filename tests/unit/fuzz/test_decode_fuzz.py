"""Fuzzing the one decoding and validation path that the worker and the audit share:
whatever the bytes, decode returns an event or a Rejection with a reason, never raises,
never hangs, and never echoes a value into the reason (values may be personal data)."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pantau.contract.city import load_city_profile
from pantau.contract.events import EventKind
from pantau.state.decode import MAX_EVENT_BYTES, Reason, Rejection, decode
from tests.factories import complaint_document, program_document
from tests.unit.fuzz.strategies import VALID, json_values, kinds

PROFILE = load_city_profile("mojokerto")
FUZZ = settings(max_examples=400, deadline=500, suppress_health_check=[HealthCheck.too_slow])


def _outcome(value: bytes, kind: EventKind) -> object:
    outcome = decode(value, kind, PROFILE)
    if isinstance(outcome, Rejection):
        assert outcome.reason in Reason
        assert outcome.detail
    else:
        assert outcome.kind == kind.value
    return outcome


@FUZZ
@given(value=st.binary(max_size=2000), kind=kinds)
def test_any_bytes_decode_to_an_event_or_a_reason(value: bytes, kind: EventKind) -> None:
    _outcome(value, kind)


@FUZZ
@given(document=json_values, kind=kinds)
def test_any_json_document_decodes_to_an_event_or_a_reason(document: Any, kind: EventKind) -> None:
    # allow_nan writes NaN and Infinity, which strict JSON parsers must refuse.
    _outcome(json.dumps(document, allow_nan=True).encode(), kind)


@FUZZ
@given(kind=kinds, data=st.data())
def test_a_valid_event_with_one_field_replaced_is_applied_or_rejected_by_name(
    kind: EventKind, data: st.DataObject
) -> None:
    document = dict(VALID[kind])
    field = data.draw(st.sampled_from(sorted(document)))
    document[field] = data.draw(json_values)
    outcome = _outcome(json.dumps(document, allow_nan=True).encode(), kind)
    if isinstance(outcome, Rejection) and outcome.reason is Reason.SCHEMA:
        assert field in outcome.detail or "(document)" in outcome.detail


@FUZZ
@given(kind=kinds, data=st.data())
def test_a_rejection_never_echoes_the_value_that_caused_it(
    kind: EventKind, data: st.DataObject
) -> None:
    marker = "Bu-Siti-0812-3456-7890"
    document = dict(VALID[kind])
    field = data.draw(st.sampled_from(sorted(document)))
    document[field] = data.draw(
        st.sampled_from([marker, [marker], {"x": marker}, f"{marker}-2026-13-45"])
    )
    outcome = decode(json.dumps(document).encode(), kind, PROFILE)
    if isinstance(outcome, Rejection):
        assert marker not in outcome.detail, (field, outcome.detail)


@FUZZ
@given(kind=kinds, data=st.data())
def test_non_utf8_bytes_inside_a_valid_event_are_rejected_as_undecodable(
    kind: EventKind, data: st.DataObject
) -> None:
    raw = json.dumps(VALID[kind]).encode()
    at = data.draw(st.integers(min_value=0, max_value=len(raw)))
    bad = data.draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"]))
    outcome = _outcome(raw[:at] + bad + raw[at:], kind)
    assert isinstance(outcome, Rejection)


def test_deep_nesting_is_rejected_without_recursion_errors() -> None:
    for depth in (1_000, 100_000):
        for opener, closer in ((b"[", b"]"), (b'{"a":', b"}")):
            value = opener * depth + b"1" + closer * depth
            outcome = decode(value[:MAX_EVENT_BYTES], EventKind.COMPLAINT, PROFILE)
            assert isinstance(outcome, Rejection)
            nested = dict(VALID[EventKind.COMPLAINT], description=None)
            inner = opener * depth + b"1" + closer * depth
            raw = json.dumps(nested).encode().replace(b"null", inner[: MAX_EVENT_BYTES // 2])
            assert isinstance(decode(raw, EventKind.COMPLAINT, PROFILE), Rejection)


def test_huge_and_non_finite_numbers_are_named_fields() -> None:
    for value in (10**400, -(10**400), math.inf, -math.inf, math.nan, 1e308 * 10):
        raw = json.dumps(program_document(realization_pct=value), allow_nan=True).encode()
        outcome = decode(raw, EventKind.PROGRAM, PROFILE)
        assert isinstance(outcome, Rejection), value
        assert "realization_pct" in outcome.detail or "(document)" in outcome.detail


def test_an_oversized_message_is_rejected_before_parsing() -> None:
    raw = json.dumps(complaint_document(description="x" * MAX_EVENT_BYTES)).encode()
    outcome = decode(raw, EventKind.COMPLAINT, PROFILE)
    assert isinstance(outcome, Rejection) and outcome.reason is Reason.OVERSIZED
