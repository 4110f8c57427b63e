"""Incident formation: the alerts of one surge are one incident with its parts."""

from __future__ import annotations

from datetime import UTC, datetime

from pantau.contract.alerts import AlertEvent, AlertStatus
from pantau.contract.dimensions import Dimension
from pantau.detection.incidents import AlertChange, IncidentPolicy, form_incidents

FIRING, RESOLVED = AlertStatus.FIRING, AlertStatus.RESOLVED
POLICY = IncidentPolicy(group_wait_minutes=15, group_interval_minutes=30)


def _dimension(value: str, minute: int, status: AlertStatus = FIRING) -> AlertChange:
    fingerprint = f"complaint-spike:dimension:{value}"
    return AlertChange(fingerprint, "dimension", value, value, minute, status)


def _category(value: str, dimension: str, minute: int, status: AlertStatus = FIRING) -> AlertChange:
    fingerprint = f"complaint-spike:category:{value}"
    return AlertChange(fingerprint, "category", value, dimension, minute, status)


def _area(value: str, minute: int, status: AlertStatus = FIRING) -> AlertChange:
    fingerprint = f"complaint-spike:kecamatan:{value}"
    return AlertChange(fingerprint, "kecamatan", value, None, minute, status)


def _parts(changes: list[AlertChange]) -> list[list[str]]:
    return [[p.value for p in i.parts] for i in form_incidents(changes, POLICY)]


def test_a_dimension_its_categories_and_areas_in_the_same_minutes_are_one_incident() -> None:
    changes = [
        _category("drainase", "living", 100),
        _dimension("living", 103),
        _area("kranggan", 104),
        _category("jalan-rusak", "living", 110),
    ]
    (incident,) = form_incidents(changes, POLICY)
    assert incident.dimension == "living"
    assert [p.value for p in incident.parts] == ["drainase", "living", "kranggan", "jalan-rusak"]
    assert incident.incident_id == "complaint-spike:category:drainase@100"
    assert incident.page_minute(POLICY) == 100, "a dimension's incident pages at once"


def test_each_dimension_is_its_own_incident_and_an_area_joins_the_latest() -> None:
    changes = [_dimension("living", 100), _dimension("environment", 105), _area("kranggan", 106)]
    assert _parts(changes) == [["living"], ["environment", "kranggan"]]


def test_an_area_alone_waits_and_is_taken_in_by_a_dimension_opening_meanwhile() -> None:
    alone = form_incidents([_area("kranggan", 100)], POLICY)
    assert [(i.dimension, i.page_minute(POLICY)) for i in alone] == [(None, 115)]
    taken = [_area("kranggan", 100), _area("magersari", 102), _dimension("living", 112)]
    (incident,) = form_incidents(taken, POLICY)
    assert incident.dimension == "living"
    assert [p.value for p in incident.parts] == ["kranggan", "magersari", "living"]
    assert incident.incident_id == "complaint-spike:kecamatan:kranggan@100", "its id is unchanged"


def test_a_dimension_after_the_wait_leaves_the_area_incident_as_it_was_paged() -> None:
    assert _parts([_area("kranggan", 100), _dimension("living", 116)]) == [["kranggan"], ["living"]]


def test_a_part_firing_again_soon_after_the_incident_closed_reopens_it() -> None:
    dipped = [_dimension("living", 100), _dimension("living", 150, RESOLVED)]
    (incident,) = form_incidents([*dipped, _dimension("living", 175)], POLICY)
    spans = [(p.fired_minute, p.resolved_minute) for p in incident.parts]
    assert spans == [(100, 150), (175, None)]
    assert incident.closed_minute is None
    later = form_incidents([*dipped, _dimension("living", 181)], POLICY)
    assert [i.started_minute for i in later] == [100, 181]


def test_an_incident_closes_when_its_last_part_resolves() -> None:
    changes = [
        _dimension("living", 100),
        _category("drainase", "living", 101),
        _dimension("living", 140, RESOLVED),
    ]
    (incident,) = form_incidents(changes, POLICY)
    assert incident.closed_minute is None, "drainase still fires"
    (closed,) = form_incidents([*changes, _category("drainase", "living", 160, RESOLVED)], POLICY)
    assert closed.closed_minute == 160


def test_a_resolution_without_its_firing_is_ignored_and_order_of_input_does_not_matter() -> None:
    changes = [
        _dimension("living", 90, RESOLVED),
        _area("kranggan", 100),
        _dimension("living", 101),
    ]
    assert _parts(changes) == _parts(list(reversed(changes))) == [["kranggan", "living"]]


def test_an_alert_event_reads_as_a_change_at_its_verdicts_minute() -> None:
    event = AlertEvent(
        event_id="complaint-spike:dimension:living:firing:29937544",
        occurred_at=datetime.fromtimestamp(29_937_545 * 60, UTC),
        produced_at=datetime.now(UTC),
        source="detector",
        fingerprint="complaint-spike:dimension:living",
        alertname="ComplaintSpike",
        status=FIRING,
        group="dimension",
        value="living",
        dimension=Dimension.LIVING,
        window_minutes=5,
        observed=12,
        expected=2.0,
        score=1e-6,
        started_at=datetime.fromtimestamp(29_937_544 * 60, UTC),
    )
    assert AlertChange.from_event(event) == _dimension("living", 29_937_544)


def _breach(agency: str, stage: str, minute: int, status: AlertStatus = FIRING) -> AlertChange:
    fingerprint = f"deadline-breach:{agency}:{stage}"
    return AlertChange(fingerprint, "deadline", agency, None, minute, status)


def test_a_deadline_breach_is_an_incident_of_its_own_paged_at_once() -> None:
    changes = [
        _dimension("living", 100),
        _area("kranggan", 101),
        _breach("dpupr", "forwarding", 102),
        _breach("dpupr", "resolution", 103),
    ]
    incidents = form_incidents(changes, POLICY)
    assert [(i.kind, [p.value for p in i.parts]) for i in incidents] == [
        ("surge", ["living", "kranggan"]),
        ("deadline", ["dpupr"]),
        ("deadline", ["dpupr"]),
    ]
    assert [i.page_minute(POLICY) for i in incidents[1:]] == [102, 103]


def test_an_area_spike_never_joins_a_deadline_incident() -> None:
    (breach, area) = form_incidents(
        [_breach("dlh", "forwarding", 100), _area("magersari", 101)], POLICY
    )
    assert breach.kind == "deadline" and area.is_area
    assert area.page_minute(POLICY) == 116


def test_a_breach_back_within_the_interval_is_the_same_incident() -> None:
    changes = [
        _breach("dlh", "forwarding", 100),
        _breach("dlh", "forwarding", 120, RESOLVED),
        _breach("dlh", "forwarding", 140),
    ]
    (incident,) = form_incidents(changes, POLICY)
    assert [(p.fired_minute, p.resolved_minute) for p in incident.parts] == [
        (100, 120),
        (140, None),
    ]
