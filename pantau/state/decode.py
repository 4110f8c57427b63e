"""From a Kafka message to an event, or to the reason it is rejected: one rule for the
worker (which dead-letters the rejects) and the audit replay (which must accept exactly
what the worker applied).

Two ways, one outcome. The fast path (pantau/state/fastpath.py) decodes with msgspec and
answers for the messages it can vouch for; every other message takes the contract's way,
pydantic and the city profile, which stays the authority: it words each rejection, and
what it accepts comes back as the same Struct the fast path would have made. So the
accepted messages are exactly pydantic's and the rejections exactly its texts
(tests/unit/state/test_decoders_agree.py holds the two ways to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pantau.contract.city import CityProfile
from pantau.contract.errors import ContractError
from pantau.contract.events import AnyEvent, EventKind, parse_event
from pantau.contract.wire import WireEvent, wire_from_model
from pantau.state.fastpath import VOUCHERS, Known

MAX_EVENT_BYTES = 64 * 1024


class Reason(StrEnum):
    """Why a message was dead-lettered: a small fixed set, fit for a metric label."""

    OVERSIZED = "oversized"
    UNDECODABLE = "undecodable"
    SCHEMA = "schema"
    UNKNOWN_REFERENCE = "unknown_reference"
    WRONG_TOPIC = "wrong_topic"


@dataclass(frozen=True)
class Rejection:
    reason: Reason
    detail: str  # names fields, never echoes values: it may travel into logs


def decode(value: bytes | None, expected: EventKind, profile: CityProfile) -> WireEvent | Rejection:
    """The event in `value` for the `expected` kind's topic, or why it is rejected."""
    if value is None or len(value) > MAX_EVENT_BYTES:
        return _refuse_unread(value)
    known = _last_known if _last_known.profile is profile else _know(profile)
    event = VOUCHERS[expected](value, known)
    if event is not None:
        return event
    outcome = decode_by_contract(value, expected, profile)
    return outcome if isinstance(outcome, Rejection) else wire_from_model(outcome)


def decode_by_contract(
    value: bytes | None, expected: EventKind, profile: CityProfile
) -> AnyEvent | Rejection:
    """The contract's way alone: pydantic's event model, or the rejection in its words."""
    if value is None or len(value) > MAX_EVENT_BYTES:
        return _refuse_unread(value)
    try:
        event = parse_event(value)
    except ContractError as error:
        first = error.problems[0]
        undecodable = first.field == "(document)" and first.reason.startswith("Invalid JSON")
        return Rejection(Reason.UNDECODABLE if undecodable else Reason.SCHEMA, str(error))
    if event.kind != expected.value:
        return Rejection(Reason.WRONG_TOPIC, f"kind: {event.kind} on the {expected} topic")
    problems = profile.problems_with(event)
    if problems:
        return Rejection(Reason.UNKNOWN_REFERENCE, "; ".join(str(p) for p in problems))
    return event


# A process decodes for one profile: the last one's prepared names are kept at hand, as
# even one function call more per message shows on the hot path.
_last_known = Known(None)


def _know(profile: CityProfile) -> Known:
    global _last_known
    # The local one is returned: another thread may have put its own profile's meanwhile.
    _last_known = known = Known(profile)
    return known


def _refuse_unread(value: bytes | None) -> Rejection:
    """A message not even parsed: missing, or too large to spend time on."""
    if value is None:
        return Rejection(Reason.UNDECODABLE, "(message): no value")
    return Rejection(Reason.OVERSIZED, f"(message): {len(value)} bytes, limit {MAX_EVENT_BYTES}")
