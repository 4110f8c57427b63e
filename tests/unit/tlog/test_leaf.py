"""Leaves: the canonical JSON of a record with its free text blinded. The form depends on
the record's JSON value only, agrees with the hash chain's on the contract's events, and
no description reaches a leaf in the clear."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.audit.chain import canonical as chain_canonical
from pantau.contract.events import EVENT_MODELS, event_from_mapping
from pantau.tlog.blinding import BLINDED_FIELDS, BLINDED_PREFIX, blinded, derived_salts
from pantau.tlog.canonical import canonical
from pantau.tlog.hashing import leaf_hash
from pantau.tlog.leaf import Leaves, own_leaf
from tests.factories import complaint_document, indicator_document, program_document

SECRET = bytes(range(32))
LEAVES = Leaves(derived_salts(SECRET))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def spelled(value: Any) -> bytes:
    return json.dumps(value).encode()


def floats_in(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for item in value.values() for f in floats_in(item)]
    if isinstance(value, list):
        return [f for item in value for f in floats_in(item)]
    return []


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_form_is_the_values_whatever_the_spelling(value: Any) -> None:
    form = canonical(spelled(value))
    assert json.loads(form) == value  # nothing lost, integers of any size included
    assert canonical(json.dumps(value, indent=3, ensure_ascii=True).encode()) == form
    assert canonical(form) == form


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values, max_size=8))
def test_a_batch_has_the_leaves_of_its_records_one_by_one(values: list[Any]) -> None:
    records = [spelled(v) for v in values] + [b"NaN", b"[1e400]", b"\xff", spelled(10**30)]
    assert LEAVES.hashes(records) == [LEAVES.hash(r) for r in records]


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_form_is_the_hash_chains_but_for_tiny_floats(value: Any) -> None:
    # Python writes 1e-05 where orjson writes 0.00001 (and 1e-07 for 1e-7): floats of
    # magnitude 1e-10 to 1e-4 are the only values the two forms spell differently.
    if all(f == 0 or not 1e-10 <= abs(f) < 1e-4 for f in floats_in(value)):
        assert canonical(spelled(value)) == chain_canonical(spelled(value))


def test_the_contracts_events_have_the_hash_chains_form() -> None:
    for document in (complaint_document(), program_document(), indicator_document()):
        wire = event_from_mapping(document).model_dump_json().encode()
        assert canonical(wire) == chain_canonical(wire)


def test_what_is_not_plain_json_keeps_an_exact_form() -> None:
    assert canonical(b'{"b":NaN,"a":-Infinity}') == b'{"a":-Infinity,"b":NaN}'
    wide = b'{"n":123456789012345678901234567890,"m":-9223372036854775809}'
    assert canonical(wide) == b'{"m":-9223372036854775809,"n":123456789012345678901234567890}'
    assert canonical(b"\xff not json") == b"\xff not json"
    assert canonical(b'{"lone":"\\ud800"}') == b'{"lone":"\\ud800"}'  # not UTF-8: as it is
    # "e+" in a text sends a record through the exact reader: the same form, only slower.
    assert canonical(b'{"x":1e-5,"note":"a+e+b"}') == b'{"note":"a+e+b","x":0.00001}'
    deep = b"[" * 300 + b"]" * 300
    assert canonical(deep) == deep


def test_a_description_never_reaches_the_entry_in_the_clear() -> None:
    document = complaint_document()
    entry = LEAVES.entry(spelled(document))
    assert b"Bu Siti" not in entry and b"0812" not in entry
    value = orjson.loads(entry)
    assert value["description"].startswith(BLINDED_PREFIX)
    assert {k: v for k, v in value.items() if k != "description"} == {
        k: v for k, v in document.items() if k != "description"
    }


def test_the_same_text_in_two_complaints_blinds_differently() -> None:
    one = orjson.loads(LEAVES.entry(spelled(complaint_document(complaint_id="C-1"))))
    two = orjson.loads(LEAVES.entry(spelled(complaint_document(complaint_id="C-2"))))
    assert one["description"] != two["description"]
    salt_of = derived_salts(SECRET)
    text = complaint_document()["description"]
    assert one["description"] == blinded(salt_of("C-1"), text)


def test_a_citizen_given_the_salt_recomputes_their_leaf() -> None:
    document = complaint_document()
    salt = derived_salts(SECRET)(document["complaint_id"])
    # However they spell their copy of the event.
    copy = json.dumps(document, indent=2, ensure_ascii=True).encode()
    assert own_leaf(copy, salt) == LEAVES.hash(spelled(document))
    assert own_leaf(copy, bytes(32)) != LEAVES.hash(spelled(document))
    altered = spelled(complaint_document(description="Jalan berlubang."))
    assert own_leaf(altered, salt) != LEAVES.hash(spelled(document))


def test_records_without_free_text_are_their_canonical_form() -> None:
    for document in (program_document(), indicator_document(), complaint_document()):
        document.pop("description", None)
        raw = spelled(document)
        assert LEAVES.entry(raw) == canonical(raw)
        assert LEAVES.hash(raw) == leaf_hash(canonical(raw))
    odd = spelled(complaint_document(description={"nested": "text"}))
    assert LEAVES.entry(odd) == canonical(odd)  # a dead letter, kept as evidence


def test_the_blinded_fields_are_the_ones_the_contract_calls_personal() -> None:
    personal = {
        name
        for model in EVENT_MODELS.values()
        for name, field in model.model_fields.items()
        if "personal data" in (field.description or "").lower()
    }
    assert personal == set(BLINDED_FIELDS)


def test_salts_are_the_hmac_of_the_complaint_id_and_blinding_a_salted_sha256() -> None:
    for secret in (SECRET, bytes(range(64)), bytes(range(100))):
        expected = hmac.digest(secret, b"pantau tlog complaint salt\nC-7", "sha256")
        assert derived_salts(secret)("C-7") == expected
    salt = bytes(32)
    digest = hashlib.sha256(salt + "Jalan rusak é".encode()).hexdigest()
    assert blinded(salt, "Jalan rusak é") == f"salted-sha256:{digest}"


def test_the_log_secret_must_be_long_enough() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        derived_salts(b"short")
