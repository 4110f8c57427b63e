"""An operator takes an incident (all its parts) or a pipeline alert, with a comment.
The notifier's routes call these with the name the operator's key gives; the answer is
what changed, or why nothing did."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from consumers.alerts.lifecycle import acknowledge
from pantau.contract.city import CityProfile
from pantau.state.alerts import AlertRecord, AlertStore
from pantau.state.incident_log import IncidentLog
from pantau.state.incident_view import IncidentView, incident_views


class Acknowledging(BaseModel):
    comment: Annotated[str, Field(min_length=1, max_length=500)]


class UnknownAlertError(LookupError):
    pass


class NothingToAcknowledgeError(ValueError):
    pass


def find_incident(log: IncidentLog, profile: CityProfile, identifier: str) -> IncidentView | None:
    """The incident named by its id, its short id, or one of its parts' fingerprints
    (the latest incident that part belongs to)."""
    views = incident_views(log.events(), log.acknowledgements(), profile)
    for view in views:
        if view.matches(identifier):
            return view
    return next((v for v in views if any(p.fingerprint == identifier for p in v.parts)), None)


def acknowledge_incident(
    log: IncidentLog,
    store: AlertStore,
    incident: IncidentView,
    by: str,
    comment: str,
    at: datetime,
) -> None:
    if incident.state == "acknowledged":
        raise NothingToAcknowledgeError(
            f"{incident.short_id} was acknowledged already, by {incident.acknowledged_by}"
        )
    if incident.state != "firing":
        raise NothingToAcknowledgeError(f"{incident.short_id} is {incident.state}")
    if not log.acknowledge(incident.incident_id, by, at, comment):
        raise NothingToAcknowledgeError(f"{incident.short_id} was acknowledged already")
    # Its parts' records say so too, so the alerts gauge counts them as taken.
    for part in incident.parts:
        if part.resolved_at is None:
            store.update(part.fingerprint, lambda r: acknowledge(r, by, at, comment) if r else None)


def acknowledge_alert(
    store: AlertStore, fingerprint: str, by: str, comment: str, at: datetime
) -> AlertRecord:
    if store.get(fingerprint) is None:
        raise UnknownAlertError(f"no incident or alert {fingerprint}")
    changed = store.update(fingerprint, lambda r: acknowledge(r, by, at, comment) if r else None)
    if changed is None:
        raise NothingToAcknowledgeError(f"{fingerprint} is not firing")
    return changed
