"""The live detector's state in Redis: a detector restarted from it reaches the verdicts
an uninterrupted one would, and state saved before the CUSUM existed still loads.
(tests/integration/test_detector.py runs the same story through Kafka and Redis.)"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pantau.contract.alerts import AlertStatus
from streams.detector import SpikeDetector
from tests.unit.streams.detector_fakes import KEYS, T0, FakeQuery, FakeRedis


def _detector(query: FakeQuery, client: FakeRedis) -> SpikeDetector:
    return SpikeDetector(query, client, KEYS)  # type: ignore[arg-type]


def _city_with_a_burst() -> FakeQuery:
    query = FakeQuery()
    query.add([T0 - timedelta(days=8) + timedelta(minutes=10 * n) for n in range(8 * 144)])
    query.add([T0 + timedelta(minutes=1 + n % 5, seconds=n) for n in range(30)])
    query.add([T0 + timedelta(minutes=8)])
    return query


def _calm(query: FakeQuery, hours: int) -> None:
    query.add([T0 + timedelta(minutes=10 + 10 * n) for n in range(6 * hours)])


def test_a_restarted_detector_reaches_the_verdicts_of_one_that_ran_on() -> None:
    query, client = FakeQuery(), FakeRedis()
    query.add([T0 - timedelta(days=8) + timedelta(minutes=10 * n) for n in range(8 * 144 - 1)])
    detector = _detector(query, client)
    assert detector.evaluate() == [], "history is the baseline, not news"
    # The burst arrives while the detector runs: its CUSUM runs grow minute by minute.
    query.add([T0 + timedelta(minutes=1 + n % 5, seconds=n) for n in range(30)])
    query.add([T0 + timedelta(minutes=8)])
    fired = detector.evaluate()
    assert {(a.group, a.value, a.status) for a in fired} == {
        ("dimension", "living", AlertStatus.FIRING),
        ("category", "drainase", AlertStatus.FIRING),
        ("kecamatan", "kranggan", AlertStatus.FIRING),
    }
    detector.save()
    saved = json.loads(client.values[f"{KEYS.prefix}:detector:state"])
    assert set(saved["cusum"]) == {a.fingerprint for a in fired}, "the runs are kept"

    _calm(query, hours=4)
    restarted = _detector(query, client)
    after_restart = restarted.evaluate()
    ran_on = detector.evaluate()
    assert [a.event_id for a in after_restart] == [a.event_id for a in ran_on]
    assert {(a.fingerprint, a.status) for a in after_restart} == {
        (a.fingerprint, AlertStatus.RESOLVED) for a in fired
    }


def test_state_saved_before_the_cusum_existed_loads_and_the_alerts_resolve() -> None:
    query, client = _city_with_a_burst(), FakeRedis()
    detector = _detector(query, client)
    fired = detector.evaluate()
    detector.save()
    key = f"{KEYS.prefix}:detector:state"
    old: dict[str, Any] = json.loads(client.values[key])
    del old["cusum"]
    client.values[key] = json.dumps(old)

    _calm(query, hours=1)
    restarted = _detector(query, client)
    assert restarted.tracker.active == detector.tracker.active
    resolved = restarted.evaluate()
    assert {a.fingerprint for a in resolved} == {a.fingerprint for a in fired}
