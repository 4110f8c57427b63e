"""What the webhooks are told about incidents, and when: one page per incident, then its
acknowledgement and resolution; an area waits; nothing twice."""

from __future__ import annotations

from datetime import timedelta

from consumers.alerts.paging import EventClock, due
from pantau.contract.alerts import AlertEvent
from pantau.contract.city import load_city_profile
from pantau.state.incident_view import IncidentView, incident_views
from tests.unit.state.test_incident_view import START, _spike

PROFILE = load_city_profile("mojokerto")


def _views(*events: AlertEvent) -> list[IncidentView]:
    return incident_views(list(events), {}, PROFILE)


def test_a_new_incident_is_paged_once_and_its_new_parts_are_not_paged_again() -> None:
    views = _views(_spike("dimension", "living", 0))
    (page,) = due(views, {}, START)
    grown = _views(_spike("dimension", "living", 0), _spike("category", "drainase", 3))
    assert due(grown, {page.incident_id: "firing"}, START + timedelta(minutes=3)) == []


def test_an_area_incident_waits_for_a_dimension_before_it_is_paged() -> None:
    views = _views(_spike("kecamatan", "kranggan", 0))
    assert due(views, {}, START + timedelta(minutes=14)) == []
    assert [v.dimension for v in due(views, {}, START + timedelta(minutes=15))] == [None]


def test_a_resolution_goes_out_only_for_an_incident_someone_was_paged_for() -> None:
    blip = _views(
        _spike("kecamatan", "kranggan", 0), _spike("kecamatan", "kranggan", 5, "resolved")
    )
    assert due(blip, {}, START + timedelta(hours=1)) == [], "over within its wait: no news"
    paged = {blip[0].incident_id: "firing"}
    assert [v.state for v in due(blip, paged, START + timedelta(hours=1))] == ["resolved"]


def test_the_event_clock_runs_on_between_changes_and_never_back() -> None:
    machine = {"seconds": 0.0}
    clock = EventClock(monotonic=lambda: machine["seconds"])
    assert clock.now() is None
    clock.observe(START)
    machine["seconds"] = 90.0
    assert clock.now() == START + timedelta(seconds=90)
    clock.observe(START + timedelta(seconds=30))  # behind the clock: it does not go back
    assert clock.now() == START + timedelta(seconds=90)
    clock.observe(START + timedelta(minutes=5))  # a change ahead of it sets it
    assert clock.now() == START + timedelta(minutes=5)
