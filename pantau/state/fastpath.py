"""The fast path from a Kafka message to an event: msgspec and a few prepared lookups.

A voucher returns the event only when it can tell, without pydantic, that pydantic would
accept the message on that topic and read the very same values from it; otherwise None,
and the message goes the contract's way (pantau/state/decode.py). It never rejects:
every rejection, with its reason and text, is pydantic's and the city profile's.

msgspec checks in C: JSON syntax and UTF-8, types (strictly: numeric strings, floats
for ints and bools for numbers, which pydantic's lax mode coerces, go the contract's way
and come back as what pydantic made of them), unknown fields, lengths, bounds, aware
datetimes, enums and the kind tag's value. Checked here, without regular expressions:

- the kind tag is there at all: msgspec reads a lone tagged Struct without it, while
  pydantic's discriminated union requires it;
- no datetime has a fraction of more than six digits: msgspec rounds those to the
  microsecond where pydantic truncates, which can move an event into the next second,
  minute or day;
- identifiers match `^[A-Za-z0-9][\\w.:-]*$`, told exactly for ASCII text only: Python's
  `\\w` and `$` are not pydantic-core's (Unicode marks, `²`, a final newline...), so
  other identifiers are left to pydantic;
- profile keys (category, agency, kecamatan, kelurahan, indicator) are the profile's,
  from its prepared sets: a key the profile knows is a valid slug by construction;
- the indicator period's pattern, and lat and lon given together.

The first two need the message's own text: a second, lighter msgspec pass (the glance)
reads the kind and the two datetimes as strings, with the same parser, so repeated keys
(the last one counts) and escapes (`\\u002e` is a dot) read as in the main pass.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from pantau.contract.city import CityProfile
from pantau.contract.dimensions import Dimension
from pantau.contract.events import EventKind
from pantau.contract.wire import WireComplaint, WireEvent, WireIndicator, WireProgram


class _Glance(msgspec.Struct, gc=False):
    """What the fast path must see of a message before trusting msgspec's reading of
    it, decoded by the same parser (so duplicate keys and escapes read alike)."""

    kind: str = ""
    occurred_at: str = ""
    produced_at: str = ""


_IDENTIFIER_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-"
# A byte an identifier may hold becomes a letter, any other a digit: text made of
# identifier characters only then reads all letters (one C loop, nothing per character).
_IDENTIFIER_BYTES = bytes(ord("a" if byte in _IDENTIFIER_CHARS else "0") for byte in range(256))
# Everything `(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-Q[1-4]|-S[12])?$` accepts
# after the year.
_MONTHS = [f"-{month:02d}" for month in range(1, 13)]
_PERIOD_SUFFIXES = frozenset(
    ["", "-Q1", "-Q2", "-Q3", "-Q4", "-S1", "-S2", *_MONTHS]
    + [f"{month}-{day:02d}" for month in _MONTHS for day in range(1, 32)]
)


def vouch(value: bytes, expected: EventKind, profile: CityProfile) -> WireEvent | None:
    """The event pydantic would make of `value` on the `expected` kind's topic, with every
    name known to `profile`; None when that cannot be told quickly."""
    return VOUCHERS[expected](value, Known(profile))


class Known:
    """A profile's names as the fast path asks for them, on a plain object: reading an
    attribute of a pydantic model costs several times as much. Made once per profile by
    the caller (pantau/state/decode.py keeps the last one)."""

    __slots__ = ("agencies", "complaint_places", "indicator_dimensions", "profile")

    def __init__(self, profile: CityProfile | None) -> None:
        """Names of `profile`, or none at all."""
        self.profile = profile
        self.complaint_places: frozenset[tuple[str, Dimension, str, str]] = frozenset()
        self.agencies: frozenset[str] = frozenset()
        self.indicator_dimensions: frozenset[tuple[str, Dimension]] = frozenset()
        if profile is not None:
            self.complaint_places = profile.complaint_places
            self.agencies = profile.agency_keys
            self.indicator_dimensions = profile.indicator_dimensions


# The complaint's way is the hot one (nearly every message): written out in one function,
# as each call and attribute lookup costs here. The other two share helpers.
def _complaint(value: bytes, known: Known) -> WireComplaint | None:
    try:
        glance = _read_glance(value)
        event = _read_complaint(value)
    # ValidationError is a DecodeError. Skipping a deeply nested value of an unknown key
    # recurses: deep enough, and it is the contract's to reject.
    except (msgspec.DecodeError, RecursionError):
        return None
    occurred, produced = glance.occurred_at, glance.produced_at
    event_id, source, complaint_id = event.event_id, event.source, event.complaint_id
    identifiers = event_id + source + complaint_id
    if (
        glance.kind
        # See _finer_than_microseconds.
        and not (occurred[26:27].isdigit() and occurred[19] == "." and occurred[20:26].isdigit())
        and not (produced[26:27].isdigit() and produced[19] == "." and produced[20:26].isdigit())
        and (event.category, event.dimension, event.kecamatan, event.kelurahan)
        in known.complaint_places
        and event.agency in known.agencies
        and (event.lat is None) == (event.lon is None)
        # See are_identifiers. msgspec saw to the lengths: each has a first character.
        and identifiers.isascii()
        and identifiers.encode().translate(_IDENTIFIER_BYTES).isalpha()
        and (event_id[0] + source[0] + complaint_id[0]).isalnum()
    ):
        return event
    return None


def _program(value: bytes, known: Known) -> WireProgram | None:
    try:
        glance = _read_glance(value)
        event = _read_program(value)
    except (msgspec.DecodeError, RecursionError):
        return None
    if (
        _trusted(glance)
        and event.agency in known.agencies
        and are_identifiers(event.event_id, event.source, event.program_id)
    ):
        return event
    return None


def _indicator(value: bytes, known: Known) -> WireIndicator | None:
    try:
        glance = _read_glance(value)
        event = _read_indicator(value)
    except (msgspec.DecodeError, RecursionError):
        return None
    if (
        _trusted(glance)
        and (event.indicator_id, event.dimension) in known.indicator_dimensions
        and is_period(event.period)
        and are_identifiers(event.event_id, event.source)
    ):
        return event
    return None


_read_glance = msgspec.json.Decoder(_Glance).decode
_read_complaint = msgspec.json.Decoder(WireComplaint).decode
_read_program = msgspec.json.Decoder(WireProgram).decode
_read_indicator = msgspec.json.Decoder(WireIndicator).decode

Voucher = Callable[[bytes, Known], WireEvent | None]
VOUCHERS: dict[EventKind, Voucher] = {
    EventKind.COMPLAINT: _complaint,
    EventKind.PROGRAM: _program,
    EventKind.INDICATOR: _indicator,
}


def _trusted(glance: _Glance) -> bool:
    """Whether msgspec's reading of the message can be taken: it has a kind tag, and no
    datetime finer than a microsecond."""
    return bool(glance.kind) and not (
        _finer_than_microseconds(glance.occurred_at) or _finer_than_microseconds(glance.produced_at)
    )


def _finer_than_microseconds(text: str) -> bool:
    """Whether a datetime text msgspec accepted has a fraction of seven digits or more.
    Such text reads YYYY-MM-DDTHH:MM:SS, then maybe a dot and digits, then the zone
    (Z, +HH:MM or +HHMM): a seventh fraction digit can only be at index 26, and a digit
    there is one only after a dot and six digits."""
    return text[26:27].isdigit() and text[19] == "." and text[20:26].isdigit()


def are_identifiers(*texts: str) -> bool:
    """Whether each text matches `^[A-Za-z0-9][\\w.:-]*$` as pydantic-core reads it,
    told only for ASCII text (False otherwise: unsure). Lengths are not checked."""
    return _identifier_chars("".join(texts)) and all(text[:1].isalnum() for text in texts)


def _identifier_chars(text: str) -> bool:
    """Whether `text` is ASCII made of identifier characters only (isascii is O(1))."""
    return text.isascii() and text.encode().translate(_IDENTIFIER_BYTES).isalpha()


def is_period(period: str) -> bool:
    """Whether `period` matches the contract's period pattern, told only for ASCII text
    (False otherwise: pydantic-core's `\\d` takes other scripts' digits too)."""
    return (
        period.isascii()
        and len(period) >= 4
        and period[:4].isdigit()
        and period[4:] in _PERIOD_SUFFIXES
    )
