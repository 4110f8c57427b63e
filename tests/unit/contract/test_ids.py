"""Derived ids: as they read when they fit, cut short and hashed when not, the same for
the same inputs, and different for different ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from pantau.contract.events import IDENTIFIER_MAX_LENGTH, Identifier
from pantau.contract.ids import bounded_id

IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)
HEADS = st.from_regex(r"[a-z0-9][a-z0-9:._-]{0,120}", fullmatch=True)
TAILS = st.from_regex(r":[a-z]{1,12}:[0-9]{1,10}", fullmatch=True)


def test_an_id_that_fits_is_left_as_it_reads() -> None:
    assert bounded_id("complaint-spike:dimension:living", ":firing:29937544") == (
        "complaint-spike:dimension:living:firing:29937544"
    )


def test_an_id_that_does_not_fit_keeps_its_start_and_tail() -> None:
    head = "complaint-spike:category:administrasi-kependudukan"
    made = bounded_id(head, ":firing:29937544")
    assert len(made) == IDENTIFIER_MAX_LENGTH
    assert made.startswith("complaint-spike:category:admini-")
    assert made.endswith(":firing:29937544")
    assert IDENTIFIER.validate_python(made) == made


@given(HEADS, TAILS)
def test_every_derived_id_is_a_valid_identifier_and_stable(head: str, tail: str) -> None:
    made = bounded_id(head, tail)
    assert IDENTIFIER.validate_python(made) == made
    assert bounded_id(head, tail) == made
    assert made.endswith(tail)


@given(HEADS, HEADS, TAILS)
def test_different_heads_give_different_ids(first: str, second: str, tail: str) -> None:
    if first != second:
        assert bounded_id(first, tail) != bounded_id(second, tail)


def test_a_cut_on_a_separator_does_not_double_it() -> None:
    made = bounded_id("a" * 30 + ":" + "b" * 40, ":x")
    assert "::" not in made and ":-" not in made


def test_a_tail_that_leaves_no_room_is_refused() -> None:
    with pytest.raises(ValueError, match="no room"):
        bounded_id("head", ":" + "9" * 70)
