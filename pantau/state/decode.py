"""From a Kafka message to an event, or to the reason it is rejected: one rule for the
worker (which dead-letters the rejects) and the audit replay (which must accept exactly
what the worker applied)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pantau.contract.city import CityProfile
from pantau.contract.errors import ContractError
from pantau.contract.events import AnyEvent, EventKind, parse_event

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


def decode(value: bytes | None, expected: EventKind, profile: CityProfile) -> AnyEvent | Rejection:
    if value is None:
        return Rejection(Reason.UNDECODABLE, "(message): no value")
    if len(value) > MAX_EVENT_BYTES:
        return Rejection(
            Reason.OVERSIZED, f"(message): {len(value)} bytes, limit {MAX_EVENT_BYTES}"
        )
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
