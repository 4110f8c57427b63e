"""Alerts reach operators: the stream's alerts through Kafka, Prometheus' alerts through
the real Alertmanager, both into one lifecycle, out to a webhook, acknowledged by an
operator and resolved."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI, Request, Response
from kafka import KafkaProducer

from consumers.alerts.service import create_app
from pantau.context import Context
from pantau.contract.alerts import AlertEvent
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS
from pantau.publisher import EventPublisher
from pantau.state.alerts import AlertState, AlertStore
from tests.factories import alert_document, complaint_document
from tests.integration.operators import alerts_cli
from tests.integration.privacy import assert_no_personal_data
from tests.integration.servers import Server, eventually
from tests.integration.test_intake import _free_port
from tests.integration.worker_helpers import start_worker, stop


@contextlib.contextmanager
def _webhook_receiver() -> Iterator[list[dict[str, Any]]]:
    """A city webhook that fails its first call, to prove the retry. The first entry of
    the list it yields is its own URL; the deliveries follow."""
    received: list[dict[str, Any]] = []
    calls = {"count": 0}
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        calls["count"] += 1
        if calls["count"] == 1:
            return Response(status_code=503)
        received.append(await request.json())
        return Response(status_code=204)

    port = _free_port()
    with Server(app, port):
        received.append({"url": f"http://127.0.0.1:{port}/hook"})
        yield received


@pytest.fixture(scope="module")
def webhook() -> Iterator[list[dict[str, Any]]]:
    with _webhook_receiver() as received:
        yield received


@pytest.fixture(scope="module")
def notifier(live_stack: Settings, webhook: list[dict[str, Any]]) -> Iterator[Settings]:
    settings = live_stack.model_copy(update={"alert_webhooks": webhook[0]["url"]})
    with Server(create_app(Context(settings)), settings.alerts_port):
        yield settings


def _incidents_with(webhook: list[dict[str, Any]], fingerprint: str) -> list[dict[str, Any]]:
    """The incident messages whose incident has the spike `fingerprint` as a part."""
    return [
        c for c in webhook[1:]
        if c["kind"] == "incident"
        and any(p["fingerprint"] == fingerprint for p in c["incident"]["parts"])
    ]  # fmt: skip


def _changes(webhook: list[dict[str, Any]], fingerprint: str) -> list[str]:
    return [c["change"] for c in _incidents_with(webhook, fingerprint)]


def _detector_minute(settings: Settings) -> int | None:
    """The last minute the detector judged; None before its first run."""
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    raw = client.get(KeySpace(settings.redis_prefix).detector_state)
    return None if raw is None else json.loads(raw)["minute"]


def _cli(
    settings: Settings, *args: str, operator: str | None = None
) -> subprocess.CompletedProcess[str]:
    return alerts_cli(settings, *args, operator=operator)


def test_a_spike_is_paged_as_an_incident_acknowledged_and_resolved(
    notifier: Settings, webhook: list[dict[str, Any]]
) -> None:
    # Dated now: days away from the other tests' alerts this notifier also reads.
    now = datetime.now(UTC).replace(microsecond=0)
    fingerprint = f"complaint-spike:category:drainase-{int(time.time())}"
    firing = AlertEvent.model_validate(
        alert_document(fingerprint=fingerprint, event_id=f"{fingerprint}:firing",
                       group="category", value="drainase", occurred_at=now.isoformat(),
                       started_at=(now - timedelta(minutes=1)).isoformat())
    )  # fmt: skip
    with EventPublisher(notifier, client_id="pantau-alerts-test") as publisher:
        publisher.publish_confirmed(firing)
    eventually(lambda: _changes(webhook, fingerprint) == ["firing"], 60, "the incident's page")
    page = _incidents_with(webhook, fingerprint)[0]
    assert (
        page["text"]["en"]
        == "Complaint surge, Blocked drain: 15 complaints in 10 minutes, usually 3"
    )
    incident = page["incident"]["short_id"]

    listed = _cli(notifier, "list")
    assert incident in listed.stdout and "firing" in listed.stdout
    assert incident in _cli(notifier, "list", "--kind", "surge").stdout
    assert incident not in _cli(notifier, "list", "--kind", "deadline", "--kind", "pipeline").stdout
    wrong = _cli(notifier, "list", "--kind", "spike")
    assert wrong.returncode == 2 and "--kind" in wrong.stderr
    acked = _cli(notifier, "ack", incident, "--comment", "Tim DPUPR menuju lokasi",
                 operator="operator-1")  # fmt: skip
    assert acked.returncode == 0, acked.stdout + acked.stderr
    # The notifier tells the webhooks, as it tells them the incident's other changes.
    eventually(lambda: _changes(webhook, fingerprint) == ["firing", "acknowledged"], 30,
               "the acknowledgement delivered")  # fmt: skip
    assert f"{incident} acknowledged by operator-1" in acked.stdout
    again = _cli(notifier, "ack", incident, "--comment", "saya juga", operator="operator-2")
    assert again.returncode == 1 and "acknowledged already" in again.stderr

    resolved = AlertEvent.model_validate(
        alert_document(
            fingerprint=fingerprint,
            event_id=f"{fingerprint}:resolved",
            group="category",
            value="drainase",
            status="resolved",
            occurred_at=(now + timedelta(minutes=20)).isoformat(),
            started_at=(now - timedelta(minutes=1)).isoformat(),
        )
    )
    with EventPublisher(notifier, client_id="pantau-alerts-test") as publisher:
        publisher.publish_confirmed(resolved)
    eventually(lambda: _changes(webhook, fingerprint)[-1:] == ["resolved"], 60, "resolved")
    record = AlertStore(redis.Redis.from_url(notifier.redis_url.get_secret_value()),
                        KeySpace(notifier.redis_prefix)).get(fingerprint)  # fmt: skip
    assert record is not None and record.state is AlertState.RESOLVED
    assert record.acknowledged_by == "operator-1"
    metrics = httpx.get(f"http://127.0.0.1:{notifier.alerts_port}/metrics").text
    assert 'pantau_alert_webhook_deliveries_total{outcome="retried"} 1.0' in metrics


def test_prometheus_sees_a_worker_stop_and_alertmanager_delivers_the_alert(
    notifier: Settings, tmp_path: Path
) -> None:
    prometheus = f"http://127.0.0.1:{notifier.prometheus_port}/api/v1/query"

    def worker_up() -> str | None:
        result = httpx.get(prometheus, params={"query": 'up{job="pantau-worker"}'}).json()
        samples = result["data"]["result"]
        return samples[0]["value"][1] if samples else None

    worker = start_worker(
        notifier, "pantau-t-prom", "pantau-t-prom", notifier.worker_web_port, tmp_path / "w.log"
    )
    try:
        eventually(lambda: worker_up() == "1", 60, "Prometheus scrapes the worker")
    finally:
        stop(worker)
    stopped_at = datetime.now(UTC)
    store = AlertStore(redis.Redis.from_url(notifier.redis_url.get_secret_value()),
                       KeySpace(notifier.redis_prefix))  # fmt: skip

    def worker_down_alert() -> bool:
        return any(
            r.alertname == "PantauWorkerDown" and r.source == "prometheus"
            and r.state is AlertState.FIRING and r.updated_at >= stopped_at
            for r in store.all()
        )  # fmt: skip

    eventually(worker_down_alert, 240, "PantauWorkerDown through Alertmanager to the notifier")


def _pantau(settings: Settings, prefix: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
           "PANTAU_REDIS_PREFIX": prefix,
           # The detector's endpoint on the session's port, beside any other detector.
           "PANTAU_DETECTOR_PORT": str(settings.detector_port)}  # fmt: skip
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-m", "pantau", *args], env=env,
                                stdout=output, stderr=subprocess.STDOUT)  # fmt: skip


def test_the_demo_spike_fires_reaches_the_webhook_is_acknowledged_and_resolves(
    live_stack: Settings, tmp_path: Path
) -> None:
    with _webhook_receiver() as webhook:
        _demo_spike_lifecycle(live_stack, webhook, tmp_path)


def _demo_spike_lifecycle(
    live_stack: Settings, webhook: list[dict[str, Any]], tmp_path: Path
) -> None:
    # Event time in March 2027: after every other test's events but the detector test's
    # (June 2027), since a detector's present is the newest arrival in the shared topic.
    prefix = "pantau-t-demo"
    settings = live_stack.model_copy(
        update={
            "redis_prefix": prefix,
            "alert_webhooks": webhook[0]["url"],
            "alerts_port": _free_port(),
        }
    )
    fingerprint = "complaint-spike:dimension:living"
    seen_before = len(_changes(webhook, fingerprint))
    # A complaint that breaks the contract, with a citizen's text: dead-lettered, and its
    # reason must name the field without repeating the text.
    text = "Lampu mati. Pelapor: Siti Rahayu, 0812-7777-1234"
    bad = complaint_document(status="lost", event_id="pii-bad-1", description=text)
    with KafkaProducer(bootstrap_servers=settings.kafka_bootstrap) as producer:
        producer.send(COMPLAINTS.name, key=b"pii-bad-1", value=json.dumps(bad).encode())
        producer.flush()
    worker_port = _free_port()
    # At info, as operators run it: a healthy worker at warn writes nothing to search.
    worker = start_worker(
        settings, prefix, prefix, worker_port, tmp_path / "worker.log", loglevel="info"
    )
    detector = _pantau(
        settings, prefix, "run", "detect", "--interval", "1", log=tmp_path / "detector.log"
    )
    demo = ["produce", "demo", "--rate", "150", "--day-minutes", "0.5"]
    try:
        with Server(create_app(Context(settings)), settings.alerts_port):
            # A calm hour first, 05:00 to 06:00: the detector's first run waits for the
            # worker to apply everything in the log and takes it as the past, so it must
            # be watching before the surge is published.
            calm = _pantau(settings, prefix, *demo, "--seed", "30",
                           "--start", "2027-03-01T05:00:00", "--duration", "0.02",
                           log=tmp_path / "demo.log")  # fmt: skip
            assert calm.wait(timeout=120) == 0
            eventually(lambda: _detector_minute(settings) is not None, 300,
                       "the detector's first run, once the worker caught up")  # fmt: skip
            # Event time 06:00 to 08:20; Smart Living at 12x from 07:30 to 08:00.
            first = _pantau(settings, prefix, *demo, "--seed", "31",
                            "--start", "2027-03-01T06:00:00", "--duration", "0.05",
                            "--spike", "living:90:12:30", log=tmp_path / "demo.log")  # fmt: skip
            assert first.wait(timeout=120) == 0
            eventually(lambda: _changes(webhook, fingerprint)[seen_before:] == ["firing"], 120,
                        "the spike's firing at the webhook")  # fmt: skip
            page = _incidents_with(webhook, fingerprint)[seen_before]
            # Both languages, in the profile's words: never the dimension's key alone.
            assert page["text"]["id"].startswith("Lonjakan aduan Smart Living")
            assert page["text"]["en"].startswith("Complaint surge in Smart Living")
            incident = page["incident"]["short_id"]
            assert incident in _cli(settings, "list").stdout
            taken = _cli(settings, "ack", incident, "--comment", "dicek", operator="operator-2")
            assert taken.returncode == 0, taken.stdout + taken.stderr

            # The city calms down: two more hours of ordinary traffic.
            second = _pantau(settings, prefix, *demo, "--seed", "32",
                             "--start", "2027-03-01T08:20:00", "--duration", "0.05",
                             log=tmp_path / "demo.log")  # fmt: skip
            assert second.wait(timeout=120) == 0
            lifecycle = ["firing", "acknowledged", "resolved"]
            # Resolving waits for the CUSUM's evidence to drain as well as for calm windows:
            # more event time for the detector to pass over, on a machine busy with tests.
            eventually(lambda: _changes(webhook, fingerprint)[seen_before:] == lifecycle, 300,
                        "acknowledged, then resolved when the spike ended")  # fmt: skip
            # One surge, one incident: its categories and areas spiked with it as parts,
            # never paged on their own.
            pages = [c for c in webhook[1:] if c["kind"] == "incident"]
            surge = [c for c in pages if c["incident"]["started_at"].startswith("2027-03-01")]
            assert {c["incident"]["short_id"] for c in surge} == {incident}
            assert [c["change"] for c in surge] == lifecycle
            assert not [c for c in webhook[1:] if c["kind"] == "alert"]
            assert_no_personal_data(
                settings,
                logs=list(tmp_path.glob("*.log")),
                metrics_ports=[worker_port, settings.alerts_port],
                deliveries=webhook[1:],
                alert_listing=_cli(settings, "list").stdout,
            )
    finally:
        stop(detector)
        stop(worker)
