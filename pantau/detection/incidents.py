"""Incidents: the spike alerts of one surge, grouped so an operator gets one page and
gives one acknowledgement, in the spirit of Alertmanager's grouping.

The rule, applied to alert changes in minute order:

- A dimension alert and the alerts of that dimension's categories belong to the
  dimension's incident. They join it while any of its parts is firing, and for
  `group_interval_minutes` after its last part resolved, so a surge that dips and
  returns is still one incident; later, they open a new one.
- A kecamatan alert has no dimension. It joins the dimension incident that is open (or
  still joinable) when it fires, the most recently started if there are several: a
  surge in one dimension raises its areas' counts in the same minutes. With none open
  it joins or opens the city's area incident (kecamatan spiking together without a
  dimension behind them are one event too).
- An area incident is not paged at once: for `group_wait_minutes` it waits for a
  dimension incident, which, opening in that time, takes its parts (Alertmanager's
  group_wait: parts that arrive together go out together).
- A deadline breach (one agency's complaints past one stage's deadline) is an incident
  of its own, paged at once; the same breach firing again within the group interval
  returns to it.
- A resolution closes the firing part of its alert; a resolution with no firing part
  (the firing came before the alerts given) is ignored.

An incident is identified by its first part (fingerprint and minute), which no later
change alters: the same alerts always form the same incidents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from pantau.contract.alerts import AlertEvent, AlertStatus


@dataclass(frozen=True)
class AlertChange:
    """One firing or resolution of a spike alert, as the detector reports it."""

    fingerprint: str
    group: Literal["dimension", "category", "kecamatan", "deadline"]
    value: str
    dimension: str | None  # None for a kecamatan
    minute: int  # event-time minute (epoch minutes) the verdict was reached at
    status: AlertStatus

    @classmethod
    def from_event(cls, event: AlertEvent) -> AlertChange:
        # The detector dates an alert at the end of its verdict's minute.
        minute = int(event.occurred_at.timestamp()) // 60 - 1
        dimension = None if event.dimension is None else event.dimension.value
        return cls(event.fingerprint, event.group, event.value, dimension, minute, event.status)


@dataclass(frozen=True)
class IncidentPolicy:
    # Long enough for the short windows of a dimension to catch up with its areas'.
    group_wait_minutes: int = 15
    # As long as the detector's own resolve_after_minutes: a part that fires again
    # within it is the same surge returning, not a new one.
    group_interval_minutes: int = 30


@dataclass
class IncidentPart:
    fingerprint: str
    group: str
    value: str
    fired_minute: int
    resolved_minute: int | None = None


@dataclass
class Incident:
    dimension: str | None  # None: an area incident (kecamatan only), or a deadline's
    parts: list[IncidentPart] = field(default_factory=list)
    kind: Literal["surge", "deadline"] = "surge"
    closed_minute: int | None = None  # when its last part resolved; None while firing

    @property
    def incident_id(self) -> str:
        first = self.parts[0]
        return f"{first.fingerprint}@{first.fired_minute}"

    @property
    def started_minute(self) -> int:
        return self.parts[0].fired_minute

    @property
    def is_area(self) -> bool:
        return self.kind == "surge" and self.dimension is None

    def page_minute(self, policy: IncidentPolicy) -> int:
        """When an operator is paged: at once for a dimension or a deadline, after the
        wait for an area."""
        if not self.is_area:
            return self.started_minute
        return self.started_minute + policy.group_wait_minutes

    def joinable(self, minute: int, policy: IncidentPolicy) -> bool:
        return (
            self.closed_minute is None
            or minute - self.closed_minute <= policy.group_interval_minutes
        )

    def add(self, part: IncidentPart) -> None:
        self.parts.append(part)
        self.closed_minute = None

    def firing_part(self, fingerprint: str) -> IncidentPart | None:
        return next(
            (p for p in self.parts if p.fingerprint == fingerprint and p.resolved_minute is None),
            None,
        )


def form_incidents(
    changes: Iterable[AlertChange], policy: IncidentPolicy | None = None
) -> list[Incident]:
    """The incidents the changes form, ordered by their first part."""
    chosen = policy or IncidentPolicy()
    incidents: list[Incident] = []
    for change in sorted(changes, key=_in_order):
        if change.status is AlertStatus.RESOLVED:
            _resolve(incidents, change)
            continue
        part = IncidentPart(change.fingerprint, change.group, change.value, change.minute)
        if change.group == "deadline":
            _join_deadline(incidents, part, chosen)
        elif change.dimension is not None:
            _join_dimension(incidents, change.dimension, part, chosen)
        else:
            _join_area(incidents, part, chosen)
    return sorted(incidents, key=lambda i: (i.started_minute, i.incident_id))


def _in_order(change: AlertChange) -> tuple[int, bool, str]:
    # Within a minute firings come first: a part that resolves as another fires keeps
    # the incident open for it.
    return change.minute, change.status is not AlertStatus.FIRING, change.fingerprint


def _join_dimension(
    incidents: list[Incident], dimension: str, part: IncidentPart, policy: IncidentPolicy
) -> None:
    minute = part.fired_minute
    for incident in reversed(incidents):
        if incident.dimension == dimension and incident.joinable(minute, policy):
            incident.add(part)
            return
    opened = Incident(dimension)
    # An area incident still in its wait is this surge seen from its areas first.
    for waiting in [i for i in incidents if _waiting(i, minute, policy)]:
        opened.parts.extend(waiting.parts)
        incidents.remove(waiting)
    opened.add(part)
    opened.parts.sort(key=lambda p: (p.fired_minute, p.fingerprint))
    incidents.append(opened)


def _join_area(incidents: list[Incident], part: IncidentPart, policy: IncidentPolicy) -> None:
    minute = part.fired_minute
    open_dimensions = [
        i for i in incidents if i.dimension is not None and i.joinable(minute, policy)
    ]
    if open_dimensions:
        max(open_dimensions, key=lambda i: (i.started_minute, i.dimension or "")).add(part)
        return
    for incident in reversed(incidents):
        if incident.is_area and incident.joinable(minute, policy):
            incident.add(part)
            return
    incidents.append(Incident(None, [part]))


def _join_deadline(incidents: list[Incident], part: IncidentPart, policy: IncidentPolicy) -> None:
    # One agency's breaches of one stage are one incident however many complaints they
    # count; it comes back as the same incident within the group interval.
    for incident in reversed(incidents):
        same = incident.kind == "deadline" and incident.parts[0].fingerprint == part.fingerprint
        if same and incident.joinable(part.fired_minute, policy):
            incident.add(part)
            return
    incidents.append(Incident(None, [part], kind="deadline"))


def _waiting(incident: Incident, minute: int, policy: IncidentPolicy) -> bool:
    return (
        incident.is_area
        and minute - incident.started_minute <= policy.group_wait_minutes
        and incident.joinable(minute, policy)
    )


def _resolve(incidents: list[Incident], change: AlertChange) -> None:
    for incident in reversed(incidents):
        part = incident.firing_part(change.fingerprint)
        if part is None:
            continue
        part.resolved_minute = change.minute
        if all(p.resolved_minute is not None for p in incident.parts):
            incident.closed_minute = change.minute
        return
