"""Whether the worker's decode (the fast path, or the contract's way when it is unsure)
gives exactly what the contract's way alone gives: the same rejection, word for word, or
the same event, value for value."""

from __future__ import annotations

import math
from datetime import datetime

from pantau.contract.city import CityProfile
from pantau.contract.events import AnyEvent, EventKind
from pantau.contract.wire import WIRE_STRUCTS, WireEvent
from pantau.state.decode import Rejection, decode, decode_by_contract
from pantau.state.fastpath import vouch


def disagreement(value: bytes | None, kind: EventKind, profile: CityProfile) -> str | None:
    """What differs between the two ways for one message, or None."""
    expected = decode_by_contract(value, kind, profile)
    outcomes: dict[str, WireEvent | Rejection | None] = {"decode": decode(value, kind, profile)}
    if value is not None:
        outcomes["fast path"] = vouch(value, kind, profile)
    for way, outcome in outcomes.items():
        if outcome is None:  # the fast path was unsure
            continue
        if isinstance(expected, Rejection) or isinstance(outcome, Rejection):
            if outcome != expected:
                return f"{way}: {outcome!r}, the contract: {expected!r}"
            continue
        difference = event_difference(outcome, expected)
        if difference:
            return f"{way}: {difference}"
    return None


def event_difference(event: WireEvent, model: AnyEvent) -> str | None:
    """The first field where a Struct and a model differ in value or type, or None."""
    if type(event) is not WIRE_STRUCTS[EventKind(model.kind)] or event.kind != model.kind:
        return f"a {type(event).__name__} for a {model.kind} event"
    if event.entity_id != model.entity_id:
        return "entity_id"
    for name in event.__struct_fields__:
        ours, theirs = getattr(event, name), getattr(model, name)
        if not _same(ours, theirs):
            return f"{name}: {ours!r} against the contract's {theirs!r}"
    return None


def _same(ours: object, theirs: object) -> bool:
    if type(ours) is not type(theirs) or ours != theirs:
        return False
    if isinstance(ours, float) and isinstance(theirs, float):
        return math.copysign(1, ours) == math.copysign(1, theirs)  # -0.0 is not 0.0
    if isinstance(ours, datetime) and isinstance(theirs, datetime):
        # Equal instants are not enough: the offset decides the local day and minute.
        return ours.utcoffset() == theirs.utcoffset() and (
            ours.replace(tzinfo=None) == theirs.replace(tzinfo=None)
        )
    return True
