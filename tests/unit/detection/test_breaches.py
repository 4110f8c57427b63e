"""Deadline breaches: one alert per agency and stage, with a gap between firing and
resolving, ids that make a repeated change one change, and one incident per alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pantau.contract.alerts import AlertEvent
from pantau.detection.breaches import BreachPolicy, BreachTracker, Key, fingerprint
from pantau.detection.incidents import AlertChange, form_incidents

NOON = datetime(2026, 3, 9, 5, 0, tzinfo=UTC)  # 12.00 in Mojokerto
DPUPR: Key = ("dpupr", "forwarding")
DINKES: Key = ("dinkes", "resolution")
DPUPR_RESOLUTION: Key = ("dpupr", "resolution")


def _later(minutes: int) -> datetime:
    return NOON + timedelta(minutes=minutes)


def _seen(changes: list[AlertEvent]) -> list[tuple[str, str, int]]:
    return [(c.value, c.status.value, c.observed) for c in changes]


def test_an_agency_s_stage_fires_at_the_threshold_and_resolves_only_once_calm() -> None:
    tracker = BreachTracker(BreachPolicy(fire_at=3, calm_at=1))
    assert tracker.step({DPUPR: 2}, NOON) == []
    fired = tracker.step({DPUPR: 3, DINKES: 1}, _later(1))
    assert _seen(fired) == [("dpupr", "firing", 3)]
    assert fired[0].fingerprint == fingerprint("dpupr", "forwarding")
    assert fired[0].stage == "forwarding" and fired[0].group == "deadline"
    assert fired[0].alertname == "DeadlineBreach" and fired[0].started_at == _later(1)
    # More overdue, or one fewer: still the one alert, nothing new to say.
    assert tracker.step({DPUPR: 9}, _later(2)) == []
    assert tracker.step({DPUPR: 2}, _later(3)) == []
    resolved = tracker.step({}, _later(4))  # a key left out counts 0
    assert _seen(resolved) == [("dpupr", "resolved", 0)]
    assert resolved[0].started_at == _later(1) and resolved[0].occurred_at == _later(4)
    assert tracker.firing == {}


def test_each_agency_and_stage_is_its_own_alert() -> None:
    tracker = BreachTracker(BreachPolicy(fire_at=1, calm_at=0))
    fired = tracker.step({DPUPR: 1, DINKES: 4, DPUPR_RESOLUTION: 2}, NOON)
    assert sorted(c.fingerprint for c in fired) == [
        "deadline-breach:dinkes:resolution",
        "deadline-breach:dpupr:forwarding",
        "deadline-breach:dpupr:resolution",
    ]


def test_a_change_published_twice_has_one_id_and_a_restart_resumes_the_alerts() -> None:
    first = BreachTracker(BreachPolicy(fire_at=2, calm_at=0))
    [fired] = first.step({DPUPR: 2}, NOON)
    again = BreachTracker(first.policy)
    again.restore(first.state())
    assert again.firing == first.firing
    assert again.step({DPUPR: 5}, _later(10)) == []  # still firing: not fired twice
    [resolved] = again.step({DPUPR: 0}, _later(20))
    assert fired.event_id == f"deadline-breach:dpupr:forwarding:firing:{int(NOON.timestamp())}"
    assert resolved.event_id != fired.event_id and resolved.started_at == NOON


def test_a_breach_is_one_incident_of_its_own() -> None:
    tracker = BreachTracker(BreachPolicy(fire_at=1, calm_at=0))
    changes = [AlertChange.from_event(e) for e in tracker.step({DPUPR: 1, DINKES: 1}, NOON)]
    incidents = form_incidents(changes)
    assert [(i.kind, [p.value for p in i.parts]) for i in incidents] == [
        ("deadline", ["dinkes"]),
        ("deadline", ["dpupr"]),
    ]


def test_the_policy_needs_a_gap_between_firing_and_calm() -> None:
    with pytest.raises(ValueError, match="calm_at"):
        BreachPolicy(fire_at=2, calm_at=2)
