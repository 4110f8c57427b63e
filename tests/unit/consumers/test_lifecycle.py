from datetime import UTC, datetime, timedelta

from consumers.alerts.alertmanager import AlertmanagerAlert, from_alertmanager
from consumers.alerts.lifecycle import acknowledge, from_stream
from pantau.contract.alerts import AlertEvent
from pantau.state.alerts import AlertState
from tests.factories import alert_document

NOW = datetime(2026, 11, 27, 3, 15, tzinfo=UTC)


def _alert(**changes: object) -> AlertEvent:
    return AlertEvent.model_validate(alert_document(**changes))


def test_firing_acknowledged_resolved_then_firing_again() -> None:
    firing = from_stream(None, _alert())
    assert firing is not None and firing.state is AlertState.FIRING
    assert firing.labels == {"group": "dimension", "value": "living", "dimension": "living"}
    assert "15 complaints in 10 min" in firing.summary

    assert from_stream(firing, _alert()) is None, "one ongoing spike fires once"
    taken = acknowledge(firing, "operator-1", NOW + timedelta(minutes=2))
    assert taken is not None and taken.state is AlertState.ACKNOWLEDGED
    assert (taken.acknowledged_by, taken.acknowledged_at) == (
        "operator-1",
        NOW + timedelta(minutes=2),
    )
    assert acknowledge(taken, "operator-2", NOW) is None, "taken once"
    assert from_stream(taken, _alert()) is None

    resolved = from_stream(
        taken, _alert(status="resolved", occurred_at=(NOW + timedelta(hours=1)).isoformat())
    )
    assert resolved is not None and resolved.state is AlertState.RESOLVED
    assert resolved.acknowledged_by == "operator-1", "the history stays"
    assert from_stream(resolved, _alert(status="resolved")) is None

    again = from_stream(resolved, _alert(started_at=(NOW + timedelta(days=1)).isoformat()))
    assert again is not None and again.state is AlertState.FIRING and again.acknowledged_by is None


def test_a_resolution_without_a_firing_changes_nothing() -> None:
    assert from_stream(None, _alert(status="resolved")) is None


def test_alertmanager_alerts_share_the_lifecycle() -> None:
    alert = AlertmanagerAlert(
        status="firing",
        labels={"alertname": "PantauWorkerDown", "severity": "critical"},
        annotations={"summary": "No stream worker is answering"},
        startsAt=NOW,
        fingerprint="abc123",
    )
    firing = from_alertmanager(None, alert)
    assert firing is not None
    assert (firing.source, firing.alertname, firing.summary) == (
        "prometheus", "PantauWorkerDown", "No stream worker is answering",
    )  # fmt: skip
    ended = alert.model_copy(update={"status": "resolved", "endsAt": NOW + timedelta(minutes=5)})
    resolved = from_alertmanager(firing, ended)
    assert resolved is not None and resolved.resolved_at == NOW + timedelta(minutes=5)
