"""Deadline breaches as alerts: per agency and stage, the open complaints past that
stage's deadline, turned into one alert that fires and resolves (not a page per late
complaint; the incidents rule in pantau/detection/incidents.py then keeps each agency's
stage one incident).

An alert fires when an agency has `fire_at` or more complaints overdue at one stage, and
resolves once it is down to `calm_at` or fewer: the gap between the two keeps one
complaint more or less from paging and un-paging an agency all day. What is overdue is
counted by the caller from the live state against the city's clock; this module only
decides, so it is a pure function of the counts and the time it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pantau.contract.alerts import AlertEvent, AlertStatus, Stage
from pantau.contract.ids import bounded_id

ALERTNAME = "DeadlineBreach"
SOURCE = "deadline-watcher"
Key = tuple[str, Stage]  # agency, stage


def fingerprint(agency: str, stage: Stage) -> str:
    return f"deadline-breach:{agency}:{stage}"


@dataclass(frozen=True)
class BreachPolicy:
    fire_at: int = 5  # overdue complaints of one agency at one stage that open an alert
    calm_at: int = 2  # at or below this, the alert resolves

    def __post_init__(self) -> None:
        if not 0 <= self.calm_at < self.fire_at:
            raise ValueError("calm_at: must be at least 0 and below fire_at")


@dataclass
class BreachTracker:
    policy: BreachPolicy = field(default_factory=BreachPolicy)
    firing: dict[Key, datetime] = field(default_factory=dict)  # key -> when it fired

    def step(self, overdue: Mapping[Key, int], now: datetime) -> list[AlertEvent]:
        """The alerts that change at `now`, given every agency and stage's overdue count
        (a key left out counts 0)."""
        changes = []
        for key in sorted(set(overdue) | set(self.firing)):
            count = overdue.get(key, 0)
            started = self.firing.get(key)
            if started is None and count >= self.policy.fire_at:
                self.firing[key] = now
                changes.append(_alert(key, AlertStatus.FIRING, count, now, now))
            elif started is not None and count <= self.policy.calm_at:
                del self.firing[key]
                changes.append(_alert(key, AlertStatus.RESOLVED, count, started, now))
        return changes

    def state(self) -> dict[str, Any]:
        """What a restart needs, as JSON: the alerts that are firing and since when."""
        firing = [[agency, stage, at.isoformat()] for (agency, stage), at in self.firing.items()]
        return {"firing": firing}

    def restore(self, saved: Mapping[str, Any]) -> None:
        self.firing = {
            (agency, stage): datetime.fromisoformat(at) for agency, stage, at in saved["firing"]
        }


def _alert(key: Key, status: AlertStatus, observed: int, started: datetime,
           now: datetime) -> AlertEvent:  # fmt: skip
    agency, stage = key
    name = fingerprint(agency, stage)
    # Derived from the alert's own moments, so a change published twice is one change.
    moment = int(started.timestamp()) if status is AlertStatus.FIRING else int(now.timestamp())
    return AlertEvent(
        event_id=bounded_id(name, f":{status.value}:{moment}"),
        occurred_at=now,
        produced_at=datetime.now(UTC),
        source=SOURCE,
        fingerprint=name,
        alertname=ALERTNAME,
        status=status,
        group="deadline",
        value=agency,
        stage=stage,
        observed=observed,
        started_at=started,
    )
