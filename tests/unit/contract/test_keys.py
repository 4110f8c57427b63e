"""The key space builds every Redis name under its prefix, and the documented examples
are the names it builds."""

from __future__ import annotations

import inspect

from pantau.contract import keys
from pantau.contract.keys import KeySpace


def every_name(space: KeySpace) -> list[str]:
    """One name of each kind the key space builds, found by asking every member."""
    names = []
    for member, value in inspect.getmembers(KeySpace):
        if member.startswith("_"):
            continue
        if isinstance(value, property):
            names.append(getattr(space, member))
        elif callable(value):
            arity = len(inspect.signature(value).parameters) - 1
            arguments = {1: ("x",), 2: ("pantau.complaints", 3), 3: ("pantau.complaints", 3, "x")}
            names.append(getattr(space, member)(*arguments[arity]))
    return names


def test_every_name_starts_with_the_prefix() -> None:
    space = KeySpace("pantau-t-3f9a")
    names = every_name(space)
    assert len(names) >= 16
    assert all(name.startswith("pantau-t-3f9a:") for name in names), names


def test_the_documented_names_are_the_built_ones() -> None:
    space = KeySpace()
    built = {
        space.offset("pantau.complaints", 3),
        space.record("pantau.complaints", 3, "MJK-20261127-000042"),
        space.aggregate("pantau.complaints", 3, "complaints:dimension:living"),
        space.changes_channel,
        space.detector_state,
        space.alert("complaint-spike:dimension:living"),
        space.alert_index,
        space.alert_changes_channel,
        space.undelivered_webhooks,
        space.audit_head("pantau.complaints[3]"),
        space.audit_checkpoints("pantau.complaints[3]"),
        space.checkpointer_alive,
        space.intake_request("MJK-20261127-3f9a0c1d"),
        space.intake_requests,
        space.intake_receipt("MJK-20261127-3f9a0c1d"),
    }
    documented = {line.split()[0] for line in (keys.__doc__ or "").splitlines()
                  if line.startswith("pantau:")}  # fmt: skip
    assert built <= documented, built - documented


def test_the_scan_pattern_stops_at_the_separator() -> None:
    # "pantau:*" must not match another prefix that merely begins with "pantau".
    assert KeySpace("pantau").pattern == "pantau:*"
