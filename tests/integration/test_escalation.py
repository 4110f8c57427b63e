"""Nobody fakes, silences or leaves an incident unanswered: Alertmanager needs its
secret, an acknowledgement an operator's key and a comment; an incident nobody takes is
paged to the next tier of the city's escalation, again and again, until someone does;
every step is on its topic for the audit. Real Kafka, Redis and notifier."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI, Request, Response

from consumers.alerts.service import create_app
from pantau.context import Context
from pantau.contract.alerts import AlertEvent
from pantau.contract.city import profile_path
from pantau.contract.settings import Settings
from pantau.publisher import EventPublisher
from tests.factories import alert_document
from tests.integration.operators import alerts_cli
from tests.integration.servers import Server, eventually
from tests.integration.test_intake import _free_port

PREFIX = "pantau-t-escalation"
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
