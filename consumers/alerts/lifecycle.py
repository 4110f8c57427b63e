"""An alert's lifecycle as pure transitions: firing -> acknowledged -> resolved, and
firing again when a resolved alert comes back. A transition that changes nothing returns
None, so duplicates and replays are harmless."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pantau.contract.alerts import AlertEvent, AlertStatus
from pantau.state.alerts import AlertRecord, AlertState


def from_stream(record: AlertRecord | None, event: AlertEvent) -> AlertRecord | None:
    """Apply a spike detector's or a deadline watcher's verdict."""
    labels = {"group": event.group, "value": event.value}
    if event.dimension is not None:
        labels["dimension"] = event.dimension.value
    evidence: dict[str, Any] = {"observed": event.observed}
    if event.stage is not None:
        labels["stage"] = evidence["stage"] = event.stage
        summary = f"{event.observed} complaints of {event.value} past their {event.stage} deadline"
    else:
        evidence |= {"window_minutes": event.window_minutes, "expected": event.expected,
                     "score": event.score}  # fmt: skip
        summary = (
            f"{event.observed} complaints in {event.window_minutes} min for {event.group} "
            f"{event.value}, expected {event.expected or 0:.1f}"
        )
    return transition(
        record,
        firing=event.status is AlertStatus.FIRING,
        fingerprint=event.fingerprint,
        alertname=event.alertname,
        source="stream",
        summary=summary,
        labels=labels,
        evidence=evidence,
        started_at=event.started_at,
        at=event.occurred_at,
    )


def transition(
    record: AlertRecord | None,
    *,
    firing: bool,
    fingerprint: str,
    alertname: str,
    source: str,
    summary: str,
    labels: dict[str, str],
    evidence: dict[str, Any],
    started_at: datetime,
    at: datetime,
) -> AlertRecord | None:
    if firing:
        if record is not None and record.active:
            return None  # the same ongoing alert: no second firing
        return AlertRecord(
            fingerprint=fingerprint,
            alertname=alertname,
            source=source,
            state=AlertState.FIRING,
            summary=summary,
            labels=labels,
            evidence=evidence,
            started_at=started_at,
            updated_at=at,
        )
    if record is None or not record.active:
        return None
    return record.model_copy(
        update={"state": AlertState.RESOLVED, "resolved_at": at, "updated_at": at}
    )


def acknowledge(
    record: AlertRecord, by: str, at: datetime, comment: str | None = None
) -> AlertRecord | None:
    """An operator takes the alert; only a firing alert can be acknowledged."""
    if record.state is not AlertState.FIRING:
        return None
    return record.model_copy(
        update={
            "state": AlertState.ACKNOWLEDGED,
            "acknowledged_by": by,
            "acknowledged_at": at,
            "acknowledgement_comment": comment,
            "updated_at": at,
        }
    )
