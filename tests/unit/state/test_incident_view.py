"""Incidents as operators see them: a state, a severity, a headline in the profile's
words and the parts named, formed the same way by every reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pantau.contract.alerts import AlertEvent
from pantau.contract.city import load_city_profile
from pantau.state.incident_log import Acknowledgement
from pantau.state.incident_view import incident_views, short_id
from tests.factories import alert_document

PROFILE = load_city_profile("mojokerto")
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _spike(group: str, value: str, minute: int, status: str = "firing", **more: Any) -> AlertEvent:
    dimension = {"dimension": value, "category": "living", "kecamatan": None}[group]
    fingerprint = f"complaint-spike:{group}:{value}"
    at = START + timedelta(minutes=minute)
    return AlertEvent.model_validate(
        alert_document(fingerprint=fingerprint, event_id=f"{fingerprint}:{status}:{minute}",
                       group=group, value=value, dimension=dimension, status=status,
                       occurred_at=(at + timedelta(minutes=1)).isoformat(),
                       started_at=at.isoformat(), **more)
    )  # fmt: skip


def test_a_surge_is_one_incident_headed_by_its_dimension_with_its_parts_named() -> None:
    events = [
        _spike("category", "drainase", 0),
        _spike("dimension", "living", 3, observed=14, expected=2.4),
        _spike("kecamatan", "kranggan", 4),
    ]
    (incident,) = incident_views(events, {}, PROFILE)
    assert incident.state == "firing" and incident.severity == "critical"
    assert incident.text["en"] == (
        "Complaint surge in Smart Living: 14 complaints in 10 minutes, usually 2"
    )
    assert [p.subject["id"] for p in incident.parts] == [
        "Saluran tersumbat", "Smart Living (Kehidupan)", "Kecamatan Kranggan"
    ]  # fmt: skip
    assert incident.started_at == START and incident.page_at == START
    assert incident.incident_id == "complaint-spike:category:drainase@29934840"
    assert incident.short_id == short_id(incident.incident_id)
    assert incident.short_id.startswith("inc-") and len(incident.short_id) == 12


def test_an_acknowledged_incident_stays_so_until_its_last_part_resolves() -> None:
    firing = [_spike("dimension", "living", 0), _spike("category", "drainase", 2)]
    (incident,) = incident_views(firing, {}, PROFILE)
    taken = {incident.incident_id: Acknowledgement(by="operator-7", at=START)}
    (acknowledged,) = incident_views(firing, taken, PROFILE)
    assert (acknowledged.state, acknowledged.acknowledged_by) == ("acknowledged", "operator-7")
    one_resolved = [*firing, _spike("dimension", "living", 40, "resolved")]
    assert incident_views(one_resolved, taken, PROFILE)[0].state == "acknowledged"
    (resolved,) = incident_views([*one_resolved, _spike("category", "drainase", 45, "resolved")],
                                 taken, PROFILE)  # fmt: skip
    assert resolved.state == "resolved" and not resolved.active
    assert resolved.closed_at == START + timedelta(minutes=46)


def test_an_area_alone_is_a_warning_paged_after_its_wait() -> None:
    (incident,) = incident_views([_spike("kecamatan", "magersari", 0)], {}, PROFILE)
    assert incident.dimension is None and incident.severity == "warning"
    assert incident.page_at == START + timedelta(minutes=15)
    assert incident.text["id"].startswith("Lonjakan aduan di Kecamatan Magersari")
