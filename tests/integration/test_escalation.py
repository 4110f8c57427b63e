"""Nobody fakes, silences or leaves an incident unanswered: Alertmanager needs its
secret, an acknowledgement an operator's key and a comment; an incident nobody takes is
paged to the next tier of the city's escalation, again and again, until someone does;
every step is on its topic for the audit; complaints past a deadline page their agency.
Real Kafka, Redis, worker and notifier."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml
from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry

from consumers.alerts.service import create_app
from pantau.context import Context
from pantau.contract.alerts import AlertEvent
from pantau.contract.city import profile_path
from pantau.contract.events import ComplaintEvent
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.detection.breaches import BreachTracker
from pantau.publisher import EventPublisher
from pantau.state.collector import CityStateCollector
from pantau.state.compute import city_figures
from pantau.state.query import StateQuery
from pantau.state.working_time import is_working_day, nth_working_day_after
from streams.deadline_watcher import DeadlineWatcher
from tests.factories import alert_document, complaint_document
from tests.integration.operators import alerts_cli
from tests.integration.servers import Server, eventually
from tests.integration.test_intake import _free_port
from tests.integration.worker_helpers import PROFILE, start_worker, stop, wait_caught_up

PREFIX = "pantau-t-escalation"
SLA_PREFIX = "pantau-t-sla"
ROLES = ("desk-operator", "agency-head", "command-chief")


@contextlib.contextmanager
def _tier_receivers() -> Iterator[tuple[str, dict[str, list[dict[str, Any]]]]]:
    """One webhook per role, at /<role>; what each received."""
    received: dict[str, list[dict[str, Any]]] = {role: [] for role in ROLES}
    app = FastAPI()

    @app.post("/{role}")
    async def hook(role: str, request: Request) -> Response:
        received[role].append(await request.json())
        return Response(status_code=204)

    port = _free_port()
    with Server(app, port):
        yield f"http://127.0.0.1:{port}", received


@pytest.fixture(scope="module")
def escalating(
    live_stack: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, dict[str, list[dict[str, Any]]]]]:
    """A notifier whose city escalates in seconds: agency head after 3 s, command chief
    after 6 s, then every 6 s."""
    profile = yaml.safe_load(profile_path("mojokerto").read_text())
    profile["escalation"] = {
        "tiers": [{"role": ROLES[0], "after_minutes": 0}, {"role": ROLES[1], "after_minutes": 0.05},
                  {"role": ROLES[2], "after_minutes": 0.1}],
        "repeat_minutes": 0.1,
    }  # fmt: skip
    path = tmp_path_factory.mktemp("escalation") / "city.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True))
    with _tier_receivers() as (base, received):
        settings = live_stack.model_copy(
            update={
                "redis_prefix": PREFIX,
                "alerts_port": _free_port(),
                "city_profile": str(path),
                "escalation_webhooks": ",".join(f"{r}={base}/{r}" for r in ROLES),
            }
        )
        with Server(create_app(Context(settings)), settings.alerts_port):
            yield settings, received


def test_alertmanager_without_its_secret_is_refused(
    escalating: tuple[Settings, dict[str, list[dict[str, Any]]]],
) -> None:
    settings, _ = escalating
    url = f"{settings.notifier_url}/alertmanager"
    payload = {"alerts": [{"status": "firing", "labels": {"alertname": "Fake"},
                           "startsAt": "2026-12-01T00:00:00Z", "fingerprint": "f4ke"}]}  # fmt: skip
    assert httpx.post(url, json=payload).status_code == 401
    wrong = {"Authorization": "Bearer not-the-secret"}
    assert httpx.post(url, json=payload, headers=wrong).status_code == 401
    secret = settings.alertmanager_webhook_secret
    assert secret is not None
    right = {"Authorization": f"Bearer {secret.get_secret_value()}"}
    assert httpx.post(url, json=payload, headers=right).json() == {"received": 1}


def _incident_messages(
    received: dict[str, list[dict[str, Any]]], role: str, fingerprint: str
) -> list[dict[str, Any]]:
    return [
        m for m in received[role]
        if any(p["fingerprint"] == fingerprint for p in m["incident"]["parts"])
    ]  # fmt: skip


def test_an_unanswered_incident_climbs_the_tiers_until_an_operator_takes_it(
    escalating: tuple[Settings, dict[str, list[dict[str, Any]]]],
) -> None:
    settings, received = escalating
    now = datetime.now(UTC).replace(microsecond=0)
    fingerprint = f"complaint-spike:dimension:environment-{int(time.time())}"
    firing = AlertEvent.model_validate(
        alert_document(fingerprint=fingerprint, event_id=f"{fingerprint}:firing",
                       value="environment", dimension="environment",
                       occurred_at=now.isoformat(),
                       started_at=(now - timedelta(minutes=1)).isoformat())
    )  # fmt: skip
    with EventPublisher(settings, client_id="pantau-escalation-test") as publisher:
        publisher.publish_confirmed(firing)

    def changes(role: str) -> list[str]:
        return [m["change"] for m in _incident_messages(received, role, fingerprint)]

    eventually(lambda: changes("desk-operator") == ["firing"], 60, "the desk operator paged")
    incident = _incident_messages(received, "desk-operator", fingerprint)[0]["incident"]
    eventually(lambda: changes("agency-head") == ["escalated"], 30, "the agency head paged")
    eventually(lambda: changes("command-chief")[:2] == ["escalated", "escalated"], 40,
               "the command chief paged, and again while nobody answers")  # fmt: skip
    head = _incident_messages(received, "agency-head", fingerprint)[0]
    assert head["tier"] == {"number": 2, "role": "agency-head"}

    # Without a key, or with a key nobody has, nothing is acknowledged.
    keyless = alerts_cli(settings, "ack", incident["short_id"], "--comment", "diam")
    assert keyless.returncode == 2 and "PANTAU_OPERATOR_KEY" in keyless.stderr
    route = f"{settings.notifier_url}/incidents/{incident['short_id']}/acknowledge"
    forged = httpx.post(route, json={"comment": "diam"}, headers={"Authorization": "Bearer no"})
    assert forged.status_code == 401
    no_comment = alerts_cli(settings, "ack", incident["short_id"], "--comment", " ",
                            operator="operator-1")  # fmt: skip
    assert no_comment.returncode == 2 and "--comment" in no_comment.stderr

    taken = alerts_cli(settings, "ack", incident["short_id"], "--comment",
                       "DLH sudah di lokasi", operator="operator-1")  # fmt: skip
    assert taken.returncode == 0, taken.stdout + taken.stderr
    for role in ROLES:  # everyone who was paged hears it is taken
        eventually(_last_is(changes, role, "acknowledged"), 30, f"{role} told")
    paged = {role: len(changes(role)) for role in ROLES}
    time.sleep(15)  # longer than the repeat: no page after an acknowledgement
    assert {role: len(changes(role)) for role in ROLES} == paged

    def steps() -> list[str]:
        listed = alerts_cli(settings, "history", incident["short_id"])
        return [line.split("│")[2].strip() for line in listed.stdout.splitlines()
                if line.count("│") >= 6 and "step" not in line]  # fmt: skip

    eventually(lambda: "acknowledged" in steps(), 30, "the steps on their topic")
    recorded = steps()
    assert recorded[:3] == ["fired", "notified", "escalated"]
    assert recorded.count("escalated") >= 3 and recorded[-1] == "acknowledged"
    history = alerts_cli(settings, "history", incident["short_id"]).stdout
    assert "operator-1" in history and "DLH sudah di lokasi" in history


def _last_is(changes: Callable[[str], list[str]], role: str, change: str) -> Callable[[], bool]:
    return lambda: changes(role)[-1:] == [change]


def _latest_passed_deadline() -> tuple[datetime, datetime]:
    """(received, due): a complaint received one morning of a working day whose desk deadline
    (3 working days, at closing time) passed at least an hour ago, as lately as the
    calendar allows, so the breach it raises is news to the notifier, as a real one is."""
    levels, zone = PROFILE.service_levels, PROFILE.timezone
    calendar, hours = levels.working_calendar, levels.office_hours
    latest = datetime.now(zone) - timedelta(hours=1)
    day = latest.date() - timedelta(days=0 if latest.time() >= hours.closes else 1)
    while True:
        for back in range(1, 15):
            received = day - timedelta(days=back)
            if (is_working_day(received, calendar, hours)
                    and nth_working_day_after(received, 3, calendar, hours) == day):  # fmt: skip
                # An hour after the office opens, as a morning report comes in.
                return (datetime.combine(received, hours.opens, zone) + timedelta(hours=1),
                        datetime.combine(day, hours.closes, zone))  # fmt: skip
        day -= timedelta(days=1)  # not a working day: no deadline falls on it


RECEIVED, FORWARDING_DUE = _latest_passed_deadline()


def _complaint(n: int, status: str, at: datetime) -> ComplaintEvent:
    return ComplaintEvent.model_validate(complaint_document(
        event_id=f"sla-{n}-{status}", complaint_id=f"MJK-SLA-{n}", status=status,
        category="sampah", dimension="environment", agency="dlh", kelurahan="meri",
        kecamatan="kranggan", occurred_at=at.isoformat(), produced_at=at.isoformat(),
    ))  # fmt: skip


def _at(settings: Settings, instant: datetime) -> StateQuery:
    """The live state as judged at `instant`: the one clock (settings.clock) a test sets."""
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    return StateQuery(client, KeySpace(SLA_PREFIX), PROFILE, clock=instant)


def _gauge(query: StateQuery, name: str, labels: dict[str, str]) -> float | None:
    registry = CollectorRegistry()
    registry.register(CityStateCollector(query, PROFILE, query.now))
    return registry.get_sample_value(name, labels)


async def test_complaints_past_a_deadline_page_their_agency_until_someone_answers(
    escalating: tuple[Settings, dict[str, list[dict[str, Any]]]], tmp_path: Path
) -> None:
    settings, received = escalating
    # Six never forwarded; one forwarded and resolved in time; one forwarded a day late.
    events = [_complaint(n, "received", RECEIVED + timedelta(minutes=n)) for n in range(8)]
    events += [_complaint(6, "dispatched", RECEIVED + timedelta(hours=2)),
               _complaint(6, "resolved", RECEIVED + timedelta(days=1)),
               _complaint(7, "dispatched", FORWARDING_DUE + timedelta(minutes=30))]  # fmt: skip
    with EventPublisher(settings, PROFILE, client_id="pantau-sla-test") as publisher:
        for event in events:
            publisher.publish(event)
    worker = start_worker(settings, SLA_PREFIX, SLA_PREFIX, _free_port(), tmp_path / "w.log")
    try:
        await wait_caught_up(settings, SLA_PREFIX, timeout=180)
    finally:
        stop(worker)

    before, after = FORWARDING_DUE - timedelta(minutes=1), FORWARDING_DUE + timedelta(minutes=1)
    labels = {"agency": "dlh", "name": next(a.name for a in PROFILE.agencies if a.key == "dlh")}
    was = _gauge(_at(settings, before), "pantau_agency_complaints_overdue", labels)
    now_overdue = _gauge(_at(settings, after), "pantau_agency_complaints_overdue", labels)
    assert was is not None and now_overdue == was + 6
    # The one forwarded half an hour late is a deadline missed that day: its forwarding is in the
    # log already, so at no instant is it overdue and not yet missed.
    judged = city_figures(_at(settings, after), PROFILE, after.date(), now=after)
    agency = judged.agencies["dlh"].service
    assert agency is not None and agency.breached_today >= 7
    assert _gauge(_at(settings, after), "pantau_complaints_on_time_ratio",
                  {"dimension": "environment", "window": "30d"}) is not None  # fmt: skip

    # The watcher: nothing for DLH's desk before the deadline, one page once it passes.
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    keys = KeySpace(SLA_PREFIX)
    quiet = DeadlineWatcher(_at(settings, before), client, keys, BreachTracker()).evaluate()
    assert not [a for a in quiet if a.value == "dlh" and a.stage == "forwarding"]
    watcher = DeadlineWatcher(_at(settings, after), client, keys, BreachTracker())
    [breach] = [a for a in watcher.evaluate() if a.value == "dlh" and a.stage == "forwarding"]
    assert breach.status == "firing" and breach.observed == now_overdue
    restarted = DeadlineWatcher(_at(settings, after), client, keys, BreachTracker())
    assert restarted.evaluate() == []  # kept in Redis: a restart does not page again

    with EventPublisher(settings, client_id="pantau-sla-alerts") as publisher:
        publisher.publish_confirmed(breach)

    def changes(role: str) -> list[str]:
        return [m["change"] for m in _incident_messages(received, role, breach.fingerprint)]

    eventually(lambda: changes("desk-operator") == ["firing"], 60, "the desk operator paged")
    page = _incident_messages(received, "desk-operator", breach.fingerprint)[0]
    assert page["incident"]["kind"] == "deadline"
    assert "Tenggat" in page["text"]["id"] and "DLH" in page["text"]["en"], page["text"]
    eventually(lambda: "escalated" in changes("agency-head"), 30, "the agency head paged")
    taken = alerts_cli(settings, "ack", page["incident"]["short_id"], "--comment",
                       "DLH meneruskan hari ini", operator="operator-1")  # fmt: skip
    assert taken.returncode == 0, taken.stdout + taken.stderr
    eventually(_last_is(changes, "agency-head", "acknowledged"), 30, "the agency head told")
    listed = alerts_cli(settings, "list", "--kind", "deadline")
    assert listed.returncode == 0 and "DLH" in listed.stdout, listed.stdout
