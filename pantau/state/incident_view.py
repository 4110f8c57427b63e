"""Incidents as operators see them: formed from the kept spike changes, each with its
state, severity, a headline in both languages and its parts.

An incident is firing while any part fires and nobody has acknowledged it, acknowledged
once someone has, and resolved when its last part has. Its headline is its dimension's
own alert when it has one (the surge as a whole), else its first part; the other parts
are named beside it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pantau.contract.alerts import AlertEvent
from pantau.contract.city import CityProfile
from pantau.detection.incidents import (
    AlertChange,
    Incident,
    IncidentPart,
    IncidentPolicy,
    form_incidents,
)
from pantau.state.alert_text import AlertTexts, spike_subject, spike_texts
from pantau.state.incident_log import Acknowledgement

IncidentState = Literal["firing", "acknowledged", "resolved"]
Severity = Literal["critical", "warning"]


class IncidentPartView(BaseModel):
    model_config = ConfigDict(frozen=True)

    fingerprint: str
    group: str
    value: str
    subject: AlertTexts  # "Drainase tersumbat" / "Blocked drain": what spiked
    text: AlertTexts  # the part's alert as it fired
    observed: int
    expected: float | None  # a spike's; None for a deadline breach
    window_minutes: int | None
    stage: str | None  # a deadline breach's
    fired_at: datetime
    resolved_at: datetime | None


class IncidentView(BaseModel):
    model_config = ConfigDict(frozen=True)

    incident_id: str  # the first part's fingerprint and minute: never changes
    kind: Literal["surge", "deadline"]
    short_id: str  # what an operator types: `pantau alerts ack inc-3fa9c2d1 --by ...`
    dimension: str | None  # None: kecamatan spiking with no dimension behind them
    state: IncidentState
    severity: Severity
    text: AlertTexts  # the headline
    started_at: datetime
    closed_at: datetime | None
    page_at: datetime  # when the webhooks are told (an area incident waits)
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    acknowledgement_comment: str | None
    parts: list[IncidentPartView]

    @property
    def active(self) -> bool:
        return self.state != "resolved"

    def matches(self, identifier: str) -> bool:
        return identifier in (self.incident_id, self.short_id)


def short_id(incident_id: str) -> str:
    return "inc-" + hashlib.sha256(incident_id.encode()).hexdigest()[:8]


def incident_views(
    events: list[AlertEvent],
    acknowledgements: dict[str, Acknowledgement],
    profile: CityProfile,
    policy: IncidentPolicy | None = None,
) -> list[IncidentView]:
    """Every incident the kept changes form, newest first."""
    chosen = policy or IncidentPolicy()
    changes = [AlertChange.from_event(e) for e in events]
    # A part's evidence is its firing's: the latest firing of its fingerprint at its minute.
    firings = {
        (change.fingerprint, change.minute): event
        for change, event in zip(changes, events, strict=True)
        if change.status == "firing"
    }
    incidents = form_incidents(changes, chosen)
    views = [
        _view(incident, firings, acknowledgements.get(incident.incident_id), profile, chosen)
        for incident in incidents
    ]
    return sorted(views, key=lambda v: v.started_at, reverse=True)


def _view(
    incident: Incident,
    firings: dict[tuple[str, int], AlertEvent],
    acknowledgement: Acknowledgement | None,
    profile: CityProfile,
    policy: IncidentPolicy,
) -> IncidentView:
    parts = [_part(p, firings[(p.fingerprint, p.fired_minute)], profile) for p in incident.parts]
    # The latest reading of a breach counts the most complaints; a surge's dimension
    # alert speaks for the whole surge.
    if incident.kind == "deadline":
        headline = parts[-1]
    else:
        headline = next((p for p in reversed(parts) if p.group == "dimension"), parts[0])
    state: IncidentState = (
        "resolved"
        if incident.closed_minute is not None
        else "acknowledged"
        if acknowledgement is not None
        else "firing"
    )
    return IncidentView(
        incident_id=incident.incident_id,
        kind=incident.kind,
        short_id=short_id(incident.incident_id),
        dimension=incident.dimension,
        state=state,
        # A whole dimension surging is critical; a category or an area alone, a warning.
        severity="critical" if any(p.group == "dimension" for p in parts) else "warning",
        text=headline.text,
        started_at=_at(incident.started_minute),
        closed_at=None if incident.closed_minute is None else _at(incident.closed_minute + 1),
        page_at=_at(incident.page_minute(policy)),
        acknowledged_by=None if acknowledgement is None else acknowledgement.by,
        acknowledged_at=None if acknowledgement is None else acknowledgement.at,
        acknowledgement_comment=None if acknowledgement is None else acknowledgement.comment,
        parts=parts,
    )


def _part(part: IncidentPart, firing: AlertEvent, profile: CityProfile) -> IncidentPartView:
    evidence = {
        "observed": firing.observed,
        "expected": firing.expected,
        "window_minutes": firing.window_minutes,
        "stage": firing.stage,
    }
    return IncidentPartView(
        fingerprint=part.fingerprint,
        group=part.group,
        value=part.value,
        subject=spike_subject(profile, part.group, part.value),
        text=spike_texts(profile, part.group, part.value, evidence),
        observed=firing.observed,
        expected=firing.expected,
        window_minutes=firing.window_minutes,
        stage=firing.stage,
        fired_at=_at(part.fired_minute),
        resolved_at=None if part.resolved_minute is None else _at(part.resolved_minute + 1),
    )


def _at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)
