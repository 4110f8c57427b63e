"""The spike detector end to end: complaints through the real broker and worker into
Redis, verdicts from the arrivals there, alerts on the real alerts topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from pantau.contract.alerts import AlertStatus, parse_alert
from pantau.contract.city import load_city_profile
from pantau.contract.events import event_from_mapping
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import ALERTS
from pantau.publisher import EventPublisher
from pantau.state.query import StateQuery
from streams.detector import SpikeDetector
from tests.factories import complaint_document
from tests.integration.kafka_helpers import consume_until
from tests.integration.worker_helpers import start_worker, stop, wait_caught_up

PREFIX = "pantau-t-detect"
# Later than any other test's events: the detector's present is the newest arrival in
# the shared topic, so this burst must be the newest thing there.
T0 = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)  # history runs for the 8 days before this


def _arrivals(moments: list[datetime], tag: str) -> list[object]:
    return [
        event_from_mapping(
            complaint_document(
                event_id=f"{tag}-{n}",
                complaint_id=f"{tag}-{n}",
                occurred_at=moment.isoformat(),
                category="drainase",
                kecamatan="kranggan",
                kelurahan="meri",
                description=None,
            )
        )
        for n, moment in enumerate(moments)
    ]


async def _apply(settings: Settings, events: list[object], log: Path) -> None:
    with EventPublisher(settings, client_id="pantau-detector-test") as publisher:
        for event in events:
            publisher.publish(event)  # type: ignore[arg-type]
    worker = start_worker(settings, PREFIX, PREFIX, 16607, log)
    try:
        await wait_caught_up(settings, PREFIX)
    finally:
        stop(worker)


async def test_a_burst_fires_once_then_resolves_on_the_alerts_topic(
    live_stack: Settings, tmp_path: Path
) -> None:
    history = [T0 - timedelta(days=8) + timedelta(minutes=10 * n) for n in range(8 * 144)]
    burst = [T0 + timedelta(minutes=1 + n % 5, seconds=n) for n in range(30)]
    await _apply(live_stack, _arrivals(history, "hist") + _arrivals(burst, "burst")
                 + _arrivals([T0 + timedelta(minutes=8)], "tick"), tmp_path / "w.log")  # fmt: skip

    client = redis.Redis.from_url(live_stack.redis_url.get_secret_value())
    profile = load_city_profile("mojokerto")
    keys = KeySpace(PREFIX)
    detector = SpikeDetector(StateQuery(client, keys, profile), client, keys)
    fired = detector.evaluate()
    assert {(a.group, a.value) for a in fired} == {
        ("dimension", "living"), ("category", "drainase"), ("kecamatan", "kranggan"),
    }  # fmt: skip
    assert all(a.status is AlertStatus.FIRING and a.observed >= 25 for a in fired)
    assert detector.evaluate() == [], "no duplicate firing while the spike goes on"
    detector.save()

    # Ordinary traffic again for an hour: event time moves on and the spike is over.
    calm = [T0 + timedelta(minutes=10 + 10 * n) for n in range(7)]
    await _apply(live_stack, _arrivals(calm, "calm"), tmp_path / "w.log")
    restarted = SpikeDetector(StateQuery(client, keys, profile), client, keys)
    resolved = restarted.evaluate()
    assert {a.fingerprint for a in resolved} == {a.fingerprint for a in fired}
    assert all(a.status is AlertStatus.RESOLVED for a in resolved)

    with EventPublisher(live_stack, client_id="pantau-detector-test") as publisher:
        for alert in fired + resolved:
            publisher.publish_confirmed(alert)
    records = await consume_until(
        live_stack,
        ALERTS.name,
        lambda seen: (
            {r.value for r in seen} >= {a.model_dump_json().encode() for a in fired + resolved}
        ),
    )
    published = [parse_alert(r.value) for r in records if r.key == fired[0].fingerprint.encode()]
    assert [a.status for a in published][-2:] == [AlertStatus.FIRING, AlertStatus.RESOLVED]
