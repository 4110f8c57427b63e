"""The worker's decode against the contract's way alone, message by message: both reject
with the same reason and words, or both accept with every field equal (datetimes to the
microsecond and offset, floats to the sign of zero, enums and types alike).

Inputs: the simulator's events, hypothesis-made documents (valid, edged and mutated, in
several JSON spellings), the decode fuzzers' seeds and strategies, byte-level mutants of
real messages, and the known points where msgspec and pydantic read JSON differently.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
from datetime import datetime
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from pantau.contract.city import CityProfile, load_city_profile
from pantau.contract.events import EVENT_MODELS, EventKind, encode_event
from pantau.state.decode import MAX_EVENT_BYTES, Reason, Rejection, decode
from pantau.state.fastpath import are_identifiers, is_period, vouch
from producers.simulator.feed import SimulationConfig, city_feed
from tests.factories import complaint_document, indicator_document, program_document
from tests.unit.fuzz.agreement import disagreement
from tests.unit.fuzz.strategies import VALID, json_values, kinds

PROFILE = load_city_profile("mojokerto")
SIMULATED = list(
    itertools.islice(
        city_feed(PROFILE, SimulationConfig(datetime(2026, 1, 5, tzinfo=PROFILE.timezone))), 600
    )
)
AGREE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Raw:
    """A JSON literal written exactly as given: `2026.0`, `1e400`, `NaN`, `-0`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text if len(self.text) < 40 else f"{self.text[:20]}...{len(self.text)}"


def render(
    pairs: list[tuple[str, Any]], *, ascii_only: bool = False, spaced: bool = False
) -> bytes:
    """A JSON object from key/value pairs, keeping repeated keys and raw literals."""
    colon, comma = (" : ", " ,\n ") if spaced else (":", ",")

    def literal(value: Any) -> str:
        if isinstance(value, Raw):
            return value.text
        return json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)

    body = comma.join(f"{literal(key)}{colon}{literal(value)}" for key, value in pairs)
    return ("{" + body + "}").encode("utf-8", "surrogatepass")


def assert_agree(value: bytes | None, kind: EventKind) -> None:
    difference = disagreement(value, kind, PROFILE)
    assert difference is None, (difference, value)


# -- the common case: what Pantau's own producers send takes the fast path --------------


def test_simulated_events_take_the_fast_path_with_the_contracts_values() -> None:
    for event in SIMULATED:
        raw = encode_event(event)
        kind = EventKind(event.kind)
        assert vouch(raw, kind, PROFILE) is not None, raw
        assert_agree(raw, kind)


@pytest.mark.parametrize("kind", list(EventKind))
def test_the_factories_documents_take_the_fast_path(kind: EventKind) -> None:
    for raw in (json.dumps(VALID[kind]).encode(), render(list(VALID[kind].items()), spaced=True)):
        assert vouch(raw, kind, PROFILE) is not None
        assert_agree(raw, kind)


# -- the known differences between msgspec and pydantic, each spelled out ----------------

DATETIMES = [
    "2026-11-27T03:15:00Z",
    "2026-11-27T03:15:00+00:00",
    "2026-11-27T03:15:00-00:00",
    "2026-11-27T10:15:00+07:00",
    "2026-11-27T10:15:00+0700",
    "2026-11-27t03:15:00z",
    "2026-11-27 03:15:00Z",
    "2026-11-27T03:15:00.5Z",
    "2026-11-27T03:15:00.123456+07:00",
    # A seventh digit: msgspec rounds, pydantic truncates (here across a day boundary).
    "2026-11-27T23:59:59.9999995Z",
    "2026-11-27T23:59:59.9999995+07:00",
    "2026-11-27T03:15:00.1234564Z",
    "2026-11-27T03:15:00.123456789Z",
    "2026-11-27T03:15:00.12345678901234+07:00",
    "2026-11-27T03:15:00\\u002e9999999Z",  # the same, the dot escaped (raw JSON below)
    # Only pydantic reads these: no seconds, a decimal comma, Unix time.
    "2026-11-27T03:15Z",
    "2026-11-27T03:15:00,5Z",
    Raw("1764213300"),
    Raw("1764213300.5"),
    "1764213300",
    # Neither reads these.
    "2026-11-27T23:59:60Z",
    "2026-11-27T24:00:00Z",
    "2026-11-27T03:15:00",
    "2026-11-27",
    "2026-11-27T03:15:00+24:00",
    "2026-11-27T03:15:00+07:00:30",
    "2026-11-27T03:15:00+07",
    "2026-02-30T03:15:00Z",
    "0000-01-01T00:00:00Z",
    " 2026-11-27T03:15:00Z",
    "2026-11-27T03:15:00Z ",
    # Edges both read.
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2026-11-27T03:15:00+23:59",
    "2026-11-27T03:15:00.000000Z",
]


@pytest.mark.parametrize("text", DATETIMES, ids=str)
@pytest.mark.parametrize("field", ["occurred_at", "produced_at"])
def test_datetime_spellings(text: str | Raw, field: str) -> None:
    value = text if isinstance(text, Raw) else Raw(json.dumps(text).replace("\\\\u", "\\u"))
    raw = render(list(complaint_document(**{field: value}).items()))
    assert_agree(raw, EventKind.COMPLAINT)


def test_a_seventh_fraction_digit_never_moves_an_event() -> None:
    raw = json.dumps(complaint_document(occurred_at="2026-11-27T16:59:59.9999995Z")).encode()
    event = decode(raw, EventKind.COMPLAINT, PROFILE)
    assert not isinstance(event, Rejection)
    # Truncated like pydantic: still 23:59:59 in Jakarta, not the next day.
    assert event.occurred_at.astimezone(PROFILE.timezone).day == 27
    assert event.occurred_at.microsecond == 999_999


PROGRAM_NUMBERS = [
    ("year", Raw("2026")),
    ("year", Raw("2026.0")),  # pydantic: an int; msgspec: not an int
    ("year", Raw("2.026e3")),
    ("year", Raw("2026.5")),
    ("year", "2026"),
    ("year", Raw("true")),
    ("year", Raw("1" + "0" * 400)),
    ("year", Raw("-0")),
    ("realization_pct", Raw("100")),
    ("realization_pct", Raw("100.000000000000001")),  # rounds to 100.0: accepted
    ("realization_pct", Raw("100.00000000000001")),
    ("realization_pct", Raw("-0.0")),
    ("realization_pct", Raw("-0")),
    ("realization_pct", Raw("1e-400")),
    ("realization_pct", Raw("-1e-400")),
    ("realization_pct", Raw("true")),
    ("realization_pct", Raw("false")),
    ("realization_pct", "50"),
    ("realization_pct", " 50 "),
    ("realization_pct", "NaN"),
    ("realization_pct", Raw("NaN")),
    ("realization_pct", Raw("Infinity")),
    ("realization_pct", Raw("-Infinity")),
    ("realization_pct", Raw("1e400")),
    ("realization_pct", Raw("01")),
    ("realization_pct", Raw(".5")),
    ("realization_pct", Raw("5.")),
    ("realization_pct", Raw("+5")),
    ("realization_pct", Raw("5E1")),
    ("schema_version", Raw("1")),
    ("schema_version", Raw("1.0")),
    ("schema_version", Raw("true")),
    ("schema_version", "1"),
    ("schema_version", Raw("2")),
    ("schema_version", Raw("null")),
]


@pytest.mark.parametrize(("field", "value"), PROGRAM_NUMBERS, ids=str)
def test_number_spellings(field: str, value: Any) -> None:
    raw = render(list(program_document(**{field: value}).items()))
    assert_agree(raw, EventKind.PROGRAM)


INDICATOR_NUMBERS = [
    Raw("123456789012345678901234567890"),
    Raw("9007199254740993"),
    Raw("18446744073709551617"),
    Raw("-9223372036854775809"),
    Raw("9" * 400),
    Raw("0." + "1" * 400),
    Raw("2.2250738585072011e-308"),
    Raw("4.9e-324"),
    Raw("1.7976931348623157e308"),
    Raw("1.7976931348623158e308"),
    Raw("1.7976931348623159e308"),
    Raw("-0.0"),
    Raw("0.1e1"),
    Raw("1E+2"),
    "2.26",
]


@pytest.mark.parametrize("value", INDICATOR_NUMBERS, ids=str)
@pytest.mark.parametrize("field", ["value", "target"])
def test_unbounded_float_spellings(value: Any, field: str) -> None:
    raw = render(list(indicator_document(**{field: value}).items()))
    assert_agree(raw, EventKind.INDICATOR)


@pytest.mark.parametrize(
    "coordinates",
    [
        {"lat": Raw("90"), "lon": Raw("-180")},
        {"lat": Raw("90.0000000000001"), "lon": 1.0},
        {"lat": Raw("-90.00000000000001"), "lon": 1.0},
        {"lat": "1.5", "lon": "2.5"},
        {"lat": None, "lon": None},
        {"lat": 1.0, "lon": None},
        {"lat": None, "lon": 1.0},
        {"lat": Raw("true"), "lon": Raw("false")},
    ],
    ids=str,
)
def test_coordinates(coordinates: dict[str, Any]) -> None:
    raw = render(list(complaint_document(**coordinates).items()))
    assert_agree(raw, EventKind.COMPLAINT)


def test_coordinates_left_out_together_or_alone() -> None:
    for left_out in (["lat", "lon"], ["lat"], ["lon"], ["description"]):
        document = complaint_document()
        for name in left_out:
            del document[name]
        assert_agree(json.dumps(document).encode(), EventKind.COMPLAINT)


# Python's re and pydantic-core's regex engine disagree on these in `\w` or `$`.
ODD_IDENTIFIERS = [
    "intake\n",
    "intake\r",
    "intake\n\n",
    "intake²",  # No: a word character for Python only
    "intake½",
    "intake\u0301",  # a combining mark: for pydantic-core only
    "intake\u093f",  # Mc
    "intake\u20dd",  # Me
    "intake\u203f",  # Pc
    "intake\u200d",  # zero-width joiner
    "intake\u24b6",  # So, but Alphabetic
    "intake\U0001e900",  # newer than one engine's tables?
    "intakeé",
    "\uff29ntake",  # fullwidth
    "٣intake",
    "intake_2:a.b-c",
    "_intake",
    "-intake",
    ".intake",
    ":intake",
    "in take",
    "intake/",
    "",
    "x" * 64,
    "x" * 65,
    "é" * 64,
    "\U0001f600" * 64,
]


@pytest.mark.parametrize("text", ODD_IDENTIFIERS, ids=ascii)
@pytest.mark.parametrize("field", ["event_id", "source", "complaint_id"])
@pytest.mark.parametrize("ascii_only", [False, True])
def test_identifier_spellings(text: str, field: str, ascii_only: bool) -> None:
    raw = render(list(complaint_document(**{field: text}).items()), ascii_only=ascii_only)
    assert_agree(raw, EventKind.COMPLAINT)


def test_are_identifiers_agrees_with_the_contracts_pattern_on_every_ascii_pair() -> None:
    for first in map(chr, range(128)):
        for second in map(chr, range(128)):
            text = first + second
            valid = _contract_accepts("event_id", text)
            assert are_identifiers(text) == valid, repr(text)
            assert are_identifiers("a", text, "b") == valid, repr(text)


def test_are_identifiers_leaves_every_other_character_to_the_contract() -> None:
    for code in range(128, 0x110000, 7):
        assert not are_identifiers("a" + chr(code))


@pytest.mark.parametrize(
    "period",
    ["2023", "2023-01", "2023-12", "2023-13", "2023-00", "2023-02-31", "2023-01-32",
     "2023-01-00", "2023-Q1", "2023-Q4", "2023-Q5", "2023-S2", "2023-S3", "2023-1", "202",
     "20231", "\uff12\uff10\uff12\uff13-01", "٢٠٢٣", "2023-01\n", "2023\n", " 2023", "2023-q1", ""],
    ids=ascii,
)  # fmt: skip
def test_period_spellings(period: str) -> None:
    raw = render(list(indicator_document(period=period).items()))
    assert_agree(raw, EventKind.INDICATOR)
    # is_period says yes only where the contract does, and for every ASCII period it does.
    assert is_period(period) == (_contract_accepts("period", period) and period.isascii())


def _contract_accepts(field: str, text: str) -> bool:
    """Whether the contract's own constraints on `field` (of any kind) take `text`."""
    try:
        _constraints_of(field).validate_python(text)
    except ValidationError:
        return False
    return True


@functools.cache
def _constraints_of(field: str) -> TypeAdapter[str]:
    for model in EVENT_MODELS.values():
        if field in model.model_fields:
            return TypeAdapter(Annotated[str, *model.model_fields[field].metadata])
    raise KeyError(field)


TEXTS = [
    ("name", ""),
    ("name", " "),
    ("name", "x" * 200),
    ("name", "x" * 201),
    ("name", "\U0001f600" * 200),
    ("name", "\U0001f600" * 201),
    ("name", "e\u0301" * 100),
    ("name", "e\u0301" * 101),
    ("name", "\x00"),
    ("name", "\x7f"),
    ("name", "\u2028"),
    ("name", Raw('"\\ud800"')),
    ("name", Raw('"\\udc00\\ud800"')),
    ("name", Raw('"\\ud83d\\ude00"')),
    ("name", Raw('"\\u0000"')),
    ("name", Raw('"tab\\there"')),
    ("name", Raw('"a\\/b"')),
    ("name", Raw('"bad \\x escape"')),
    ("unit", "x" * 32),
    ("unit", "x" * 33),
    ("unit", ""),
    ("data_source", "x" * 200),
    ("data_source", "x" * 201),
    ("direction", "Lower_is_better"),
    ("direction", "lower_is_better "),
    ("dimension", "LIVING"),
    ("indicator_id", "STUNTING-PREVALENCE"),
    ("indicator_id", "ipm"),  # known, but of another dimension
    ("indicator_id", "unknown-indicator"),
    ("indicator_id", "stunting_prevalence"),
    ("target", None),
    ("name", None),
    ("name", 5),
    ("name", ["x"]),
    ("name", {"x": 1}),
]


@pytest.mark.parametrize(("field", "value"), TEXTS, ids=ascii)
def test_text_spellings(field: str, value: Any) -> None:
    for ascii_only in (False, True):
        raw = render(list(indicator_document(**{field: value}).items()), ascii_only=ascii_only)
        assert_agree(raw, EventKind.INDICATOR)


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "x" * 2000},
        {"description": "x" * 2001},
        {"description": "\U0001f600" * 2000},
        {"description": 'Jalan "berlubang"\n\tdi depan rumah\\'},
        {"description": ""},
        {"category": "banjir"},  # known, but of another dimension
        {"category": "unknown-category"},
        {"category": "Jalan-Rusak"},
        {"agency": "unknown-agency"},
        {"agency": "dlh"},  # known, though not the category's own: still accepted
        {"kelurahan": "meri"},  # in another kecamatan
        {"kelurahan": "unknown-kelurahan"},
        {"kecamatan": "kranggan"},
        {"kecamatan": "x" * 49, "kelurahan": "x" * 48},
        {"status": "Received"},
        {"status": "lost"},
        {"channel": "pigeon"},
        {"dimension": "smart-food"},
        {"reporter": "Budi"},
        {"kind": "program"},
        {"kind": "weather"},
        {"kind": ""},
        {"kind": None},
        {"kind": 1},
    ],
    ids=ascii,
)
def test_complaint_fields(changes: dict[str, Any]) -> None:
    for ascii_only in (False, True):
        raw = render(list(complaint_document(**changes).items()), ascii_only=ascii_only)
        assert_agree(raw, EventKind.COMPLAINT)


def _valid(kind: EventKind) -> list[tuple[str, Any]]:
    return list(VALID[kind].items())


@pytest.mark.parametrize(
    "raw",
    [
        # Repeated keys: both read the last; msgspec refuses if an earlier one is invalid.
        render([*_valid(EventKind.COMPLAINT), ("status", "resolved")]),
        render([("status", 5), *_valid(EventKind.COMPLAINT)]),
        render([*_valid(EventKind.COMPLAINT), ("status", 5)]),
        render([*_valid(EventKind.COMPLAINT), ("lat", None), ("lon", None)]),
        render([*_valid(EventKind.COMPLAINT), ("occurred_at", "2026-11-27T03:15:00.1234567Z")]),
        render([("occurred_at", "2026-11-27T03:15:00.1234567Z"), *_valid(EventKind.COMPLAINT)]),
        render([*_valid(EventKind.COMPLAINT), ("kind", "complaint")]),
        render([*_valid(EventKind.COMPLAINT), ("kind", "program")]),
        render([("kind", "program"), *_valid(EventKind.COMPLAINT)]),
        # The kind tag: missing, spaced, escaped, only as a value elsewhere.
        render([p for p in _valid(EventKind.COMPLAINT) if p[0] != "kind"]),
        render([(k, v) for k, v in _valid(EventKind.COMPLAINT) if k != "kind"] + [("x", "kind")]),
        render([p for p in _valid(EventKind.COMPLAINT) if p[0] != "kind"] + [("source", "kind")]),
        render(_valid(EventKind.COMPLAINT), spaced=True),
        json.dumps(complaint_document()).encode().replace(b'"kind"', b'"\\u006bind"'),
        json.dumps(complaint_document()).encode().replace(b'"kind"', b'"KIND"'),
        # Around the document.
        b"\xef\xbb\xbf" + json.dumps(complaint_document()).encode(),
        b" \t\r\n" + json.dumps(complaint_document()).encode() + b" \t\r\n",
        b"\x0c" + json.dumps(complaint_document()).encode(),
        "\u00a0".encode() + json.dumps(complaint_document()).encode(),
        json.dumps(complaint_document()).encode() + b"\x00",
        json.dumps(complaint_document()).encode() + b"{}",
        json.dumps(complaint_document()).encode()[:-1] + b",}",
        json.dumps(complaint_document()).encode().replace(b'"', b"'"),
        json.dumps(complaint_document()).encode("utf-16"),
        json.dumps([complaint_document()]).encode(),
        json.dumps(json.dumps(complaint_document())).encode(),
        b"",
        b"null",
        b"{}",
        b"[]",
        b'"complaint"',
        # Bytes that are not UTF-8, inside a string and outside.
        *(
            json.dumps(complaint_document(description="x")).encode().replace(b'"x"', inside)
            for inside in (b'"\xff"', b'"\xc0\xaf"', b'"\xed\xa0\x80"', b'"\xf4\x90\x80\x80"',
                           b'"a\x01"', b'"a\n"', b'"\xe9"', '"\u00e9"'.encode())
        ),
        json.dumps(complaint_document()).encode().replace(b"{", b"{\xff ", 1),
    ],
    ids=lambda raw: ascii(raw[:40]),
)  # fmt: skip
def test_document_spellings(raw: bytes) -> None:
    for kind in EventKind:
        assert_agree(raw, kind)


def test_every_kind_on_every_topic() -> None:
    for kind, document in VALID.items():
        for topic_kind in EventKind:
            assert_agree(json.dumps(document).encode(), topic_kind)
            outcome = decode(json.dumps(document).encode(), topic_kind, PROFILE)
            assert isinstance(outcome, Rejection) == (kind is not topic_kind)


def test_missing_oversized_and_at_the_limit() -> None:
    assert_agree(None, EventKind.COMPLAINT)
    padding = MAX_EVENT_BYTES - len(json.dumps(complaint_document(description="")).encode())
    for extra in (0, 1):
        document = complaint_document(description="x" * (padding + extra))
        assert_agree(json.dumps(document).encode(), EventKind.COMPLAINT)


def test_deep_nesting() -> None:
    for depth in (100, 10_000):
        nested = "[" * depth + "1" + "]" * depth
        raw = json.dumps(complaint_document(description=None)).encode()
        assert_agree(raw.replace(b"null", nested.encode()), EventKind.COMPLAINT)


# -- generated documents -----------------------------------------------------------------
# Each field drawn from values the contract accepts (in the spellings producers use, and
# some only pydantic reads), then a few fields from edgy ones.

VALID_IDS = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}\Z") | st.sampled_from(
    ["intake\u0301", "intake\u00e9", "Intake-2:a.b_c", "x" * 64, "\u00e9" * 64]
)
EDGY_IDS = st.sampled_from(ODD_IDENTIFIERS) | st.text(max_size=70)


@st.composite
def datetimes(draw: st.DrawFn, *, edgy: bool = False) -> Any:
    if edgy and draw(st.booleans()):
        return draw(st.sampled_from(DATETIMES))
    moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    separator = draw(st.sampled_from("TTTTt " if edgy else "TTTTTTt "))
    # strftime's %Y leaves years before 1000 unpadded
    text = f"{moment.year:04d}-{moment:%m-%d}{separator}{moment:%H:%M}"
    if not edgy or draw(st.integers(0, 4)):
        text += f":{moment:%S}"
    digits = draw(st.sampled_from([0, 0, 3, 6, 6, 6, 7, 9, 1, 2, 4, 5, 8, 12]))
    if digits:
        fraction = draw(st.lists(st.sampled_from("01234599"), min_size=digits, max_size=digits))
        text += "." + "".join(fraction)
    hours = draw(st.integers(0, 24 if edgy else 23))
    minutes = draw(st.sampled_from([0, 0, 30, 45, 59, 60] if edgy else [0, 0, 30, 45, 59]))
    offset = f"{hours:02d}:{minutes:02d}"
    zones = ["Z", "Z", "z", f"+{offset}", f"-{offset}", f"+{offset.replace(':', '')}", "-00:00"]
    text += draw(st.sampled_from([*zones, ""] if edgy else zones))
    return text


ANY_FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**30), 10**30)
EDGY_FLOATS = st.sampled_from([*INDICATOR_NUMBERS, Raw("0"), Raw("true"), "1.5", None])


def bounded(low: float, high: float) -> st.SearchStrategy[Any]:
    return (
        st.floats(min_value=low, max_value=high)
        | st.integers(min_value=int(low), max_value=int(high))
        | st.sampled_from([low, high, Raw(f"{high}e0"), Raw("-0"), Raw("-0.0")])
    )


def beyond(low: float, high: float) -> st.SearchStrategy[Any]:
    return EDGY_FLOATS | st.sampled_from(
        [Raw(repr(high) + "0000000001"), Raw(repr(float(high)) + "00000000000001"),
         low - 1e-9, high + 1e-9, Raw("true"), str(high)]
    )  # fmt: skip


def texts(low: int, high: int) -> st.SearchStrategy[Any]:
    return st.text(min_size=low, max_size=min(high, 60)) | st.sampled_from(
        ["x" * high, "\U0001f600" * high, "e\u0301" * (high // 2), 'x\n\t"\\/']
    )


def beyond_texts(low: int, high: int) -> st.SearchStrategy[Any]:
    return st.sampled_from(
        ["x" * (high + 1), "\U0001f600" * (high + 1), "x" * (low - 1), None, 5, Raw('"\\ud800"')]
    )


def enums(values: list[str]) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


def beyond_enums(values: list[str]) -> st.SearchStrategy[Any]:
    return st.sampled_from([*(v.upper() for v in values), *(f"{v} " for v in values), "", None])


PERIODS = r"\A\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-Q[1-4]|-S[12])?\Z"
STATUSES = ["received", "verified", "dispatched", "in_progress", "resolved", "rejected"]
PROGRAM_STATUSES = ["planned", "running", "completed", "cancelled"]
CHANNELS = ["web", "whatsapp", "phone", "sms", "walk_in", "social_media"]
DIRECTIONS = ["lower_is_better", "higher_is_better"]
DIMENSIONS = ["governance", "branding", "economy", "living", "society", "environment"]

# name -> (values the contract accepts, edgy values it may or may not)
FIELDS: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "event_id": (VALID_IDS, EDGY_IDS),
    "source": (VALID_IDS, EDGY_IDS),
    "complaint_id": (VALID_IDS, EDGY_IDS),
    "program_id": (VALID_IDS, EDGY_IDS),
    "schema_version": (st.just(1), st.sampled_from([Raw("1.0"), Raw("true"), "1", 2, None])),
    "occurred_at": (datetimes(), datetimes(edgy=True)),
    "produced_at": (datetimes(), datetimes(edgy=True)),
    "status": (enums(STATUSES), beyond_enums(STATUSES)),
    "channel": (enums(CHANNELS), beyond_enums(CHANNELS)),
    "direction": (enums(DIRECTIONS), beyond_enums(DIRECTIONS)),
    "dimension": (enums(DIMENSIONS), beyond_enums(DIMENSIONS)),
    "description": (st.none() | texts(0, 2000), beyond_texts(0, 2000)),
    "name": (texts(1, 200), beyond_texts(1, 200)),
    "data_source": (texts(1, 200), beyond_texts(1, 200)),
    "unit": (texts(1, 32), beyond_texts(1, 32)),
    "realization_pct": (bounded(0, 100), beyond(0, 100)),
    "year": (st.integers(2000, 2100), st.sampled_from([1999, 2101, Raw("2026.0"), "2026"])),
    "value": (ANY_FLOATS, EDGY_FLOATS),
    "target": (st.none() | ANY_FLOATS, EDGY_FLOATS),
    "period": (
        st.from_regex(PERIODS),
        st.sampled_from(["2023-13", "\uff12\uff10\uff12\uff13", "2023\n", "2023-Q5"]),
    ),
    "lat": (bounded(-90, 90), beyond(-90, 90)),
    "lon": (bounded(-180, 180), beyond(-180, 180)),
}
CATEGORIES = sorted(PROFILE.category_by_key)
KELURAHAN = sorted(PROFILE.kecamatan_of_kelurahan)
INDICATORS = sorted(PROFILE.indicator_by_key)
AGENCIES = sorted(PROFILE.agency_keys)


@st.composite
def documents(draw: st.DrawFn, kind: EventKind) -> bytes:
    """A document of `kind`: valid fields, mostly known to the profile, a few of them
    edgy, in one of several JSON spellings (repeated keys, key order, ASCII escapes,
    spacing, fields left out or added)."""
    document = dict(VALID[kind])
    for name in document:
        if name in FIELDS and draw(st.booleans()):
            document[name] = draw(FIELDS[name][0])
    if "lat" in document and draw(st.integers(0, 3)) == 0:
        document["lat"] = document["lon"] = None
    if draw(st.integers(0, 4)):  # names the profile knows, consistently
        if "agency" in document:
            document["agency"] = draw(st.sampled_from(AGENCIES))
        if kind is EventKind.COMPLAINT:
            category = PROFILE.category_by_key[draw(st.sampled_from(CATEGORIES))]
            kelurahan = draw(st.sampled_from(KELURAHAN))
            document.update(category=category.key, dimension=category.dimension.value)
            document.update(kelurahan=kelurahan)
            document["kecamatan"] = PROFILE.kecamatan_of_kelurahan[kelurahan]
        if kind is EventKind.INDICATOR:
            indicator = PROFILE.indicator_by_key[draw(st.sampled_from(INDICATORS))]
            document.update(indicator_id=indicator.key, dimension=indicator.dimension.value)
    else:
        for name in ("category", "kelurahan", "kecamatan", "agency", "indicator_id"):
            if name in document and draw(st.booleans()):
                document[name] = draw(st.sampled_from(CATEGORIES + KELURAHAN + INDICATORS))
    if kind is EventKind.PROGRAM:
        document["status"] = draw(enums(PROGRAM_STATUSES))
    edgy = draw(st.sampled_from([0, 0, 0, 1, 1, 2]))
    for name in draw(st.lists(st.sampled_from(sorted(document)), max_size=edgy, unique=True)):
        if name in FIELDS:
            document[name] = draw(FIELDS[name][1])
        else:
            del document[name]
    pairs = list(document.items())
    if draw(st.sampled_from([False] * 9 + [True])):
        pairs.insert(draw(st.integers(0, len(pairs))), draw(st.sampled_from(pairs)))
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    if draw(st.sampled_from([False] * 19 + [True])):
        pairs.append((draw(st.sampled_from(["extra", "kind", "Kind"])), draw(json_values)))
    ascii_only = draw(st.sampled_from([False] * 4 + [True]))
    return render(pairs, ascii_only=ascii_only, spaced=draw(st.booleans()))


@AGREE
@given(data=st.data(), kind=kinds, topic=st.sampled_from(list(EventKind) * 4))
def test_generated_documents(data: st.DataObject, kind: EventKind, topic: EventKind) -> None:
    # Mostly on their own kind's topic, where the fast path has a say.
    topic = kind if topic is not EventKind.INDICATOR else topic
    assert_agree(data.draw(documents(kind)), topic)


@AGREE
@given(kind=kinds, data=st.data())
def test_a_valid_event_with_one_field_replaced_by_any_json(
    kind: EventKind, data: st.DataObject
) -> None:
    """The fuzzers' mutation (tests/unit/fuzz/test_decode_fuzz.py), compared."""
    document = dict(VALID[kind])
    field = data.draw(st.sampled_from(sorted(document)))
    document[field] = data.draw(json_values)
    assert_agree(json.dumps(document, allow_nan=True).encode(), kind)


@settings(AGREE, max_examples=600)
@given(
    kind=kinds,
    seed=st.integers(0, 2**32),
    edits=st.integers(1, 4),
    event=st.sampled_from(SIMULATED),
)
def test_byte_mutants_of_real_messages(kind: EventKind, seed: int, edits: int, event: Any) -> None:
    """Real messages with a few bytes changed, inserted or removed: where parsers differ
    on syntax (numbers, escapes, whitespace, UTF-8), this is where they show it."""
    rng = random.Random(seed)
    raw = bytearray(encode_event(event))
    alphabet = b' \t\n\r0123456789.eE+-,:"\\u{}[]aZz\x00\x7f\xc3\xa9\xff'
    for _ in range(edits):
        at = rng.randrange(len(raw))
        action = rng.randrange(3)
        if action == 0:
            raw[at] = rng.choice(alphabet)
        elif action == 1:
            raw.insert(at, rng.choice(alphabet))
        else:
            del raw[at]
    assert_agree(bytes(raw), kind)
    assert_agree(bytes(raw), EventKind(event.kind))


@AGREE
@given(
    digits=st.text("0123456789", min_size=1, max_size=40),
    point=st.integers(0, 40),
    exponent=st.none() | st.integers(-340, 320),
    sign=st.sampled_from(["", "-"]),
    field=st.sampled_from(["value", "target"]),
)
def test_long_number_spellings(
    digits: str, point: int, exponent: int | None, sign: str, field: str
) -> None:
    """Both parsers round long decimals and integers beyond 2**53 (or 2**64) to the
    nearest double, and agree where a number is out of range."""
    number = digits.lstrip("0") or "0"
    if 0 < point < len(number):
        number = f"{number[:point]}.{number[point:]}"
    if exponent is not None:
        number += f"e{exponent}"
    raw = render(list(indicator_document(**{field: Raw(sign + number)}).items()))
    assert_agree(raw, EventKind.INDICATOR)


@settings(max_examples=150, deadline=None)
@given(value=st.binary(max_size=600), kind=kinds)
def test_any_bytes(value: bytes, kind: EventKind) -> None:
    assert_agree(value, kind)


def test_the_atheris_seeds() -> None:
    """The coverage-guided fuzzer's seed corpus (tests/unit/fuzz/test_atheris_decode.py):
    one byte choosing the topic, then the message."""
    kinds_list = list(EventKind)
    for kind, document in VALID.items():
        seed = bytes([kinds_list.index(kind)]) + json.dumps(document).encode()
        assert_agree(seed[1:], kinds_list[seed[0] % len(kinds_list)])


def test_each_profile_answers_for_itself_when_profiles_alternate() -> None:
    document = PROFILE.model_dump()
    document["categories"] = [c for c in document["categories"] if c["key"] != "jalan-rusak"]
    # Its service class names it too: a profile may not class a category it lacks.
    classes = document["service_levels"]["classes"]
    document["service_levels"]["classes"] = {
        kind: [c for c in keys if c != "jalan-rusak"] for kind, keys in classes.items()
    }
    smaller = CityProfile.model_validate(document)
    raw = json.dumps(complaint_document(category="jalan-rusak")).encode()
    for _ in range(3):
        assert not isinstance(decode(raw, EventKind.COMPLAINT, PROFILE), Rejection)
        outcome = decode(raw, EventKind.COMPLAINT, smaller)
        assert isinstance(outcome, Rejection) and outcome.reason is Reason.UNKNOWN_REFERENCE
        assert disagreement(raw, EventKind.COMPLAINT, smaller) is None
