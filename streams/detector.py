"""`pantau run detect`: the spike detector over the live arrivals.

It reads complaint arrivals per event-time minute (summed over partitions) for every
dimension, category and kecamatan, advances event time minute by minute up to the
newest arrival less a little lateness, and publishes each firing and resolution to the
alerts topic. Its place in event time and the alerts it holds open live in Redis, so a
restart picks up where it stopped; verdict ids are derived from the verdict, so one
published twice is one alert to the consumers. Run one detector per city.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

import redis

from pantau.contract.alerts import AlertEvent, AlertStatus
from pantau.contract.city import CityProfile
from pantau.contract.dimensions import Dimension
from pantau.contract.ids import bounded_id
from pantau.contract.keys import KeySpace
from pantau.detection.baseline import Baseline
from pantau.detection.persist import restore_tracker, tracker_state
from pantau.detection.spike import SpikePolicy, SpikeTracker, SpikeVerdict, policy_for
from pantau.health import Heartbeat
from pantau.state.query import StateQuery
from streams.detector_metrics import DetectorMetrics

log = logging.getLogger("pantau.detector")
ALERTNAME = "ComplaintSpike"


@dataclass(frozen=True)
class WatchedGroup:
    group: Literal["dimension", "category", "kecamatan"]
    value: str
    dimension: Dimension | None


def watched_groups(profile: CityProfile) -> list[WatchedGroup]:
    return [
        *(WatchedGroup("dimension", d.key.value, d.key) for d in profile.dimensions),
        *(WatchedGroup("category", c.key, c.dimension) for c in profile.categories),
        *(WatchedGroup("kecamatan", k.key, None) for k in profile.kecamatan),
    ]


def _at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


class SpikeDetector:
    def __init__(
        self,
        query: StateQuery,
        client: redis.Redis,
        keys: KeySpace,
        policy: SpikePolicy | None = None,
        lateness_minutes: int = 2,
    ) -> None:
        self.query = query
        self.redis = client
        self.state_key = keys.detector_state
        self.groups = watched_groups(query.profile)
        self.lateness = lateness_minutes
        self.tracker = SpikeTracker(policy or policy_for(query.profile))
        self.minute: int | None = None
        self._load()

    def evaluate(self) -> list[AlertEvent]:
        """Verdicts for every complete minute since the last call, as alert events."""
        arrivals = {g: self.query.arrivals(g.group, g.value, since_minute=0) for g in self.groups}
        newest = max((max(a) for a in arrivals.values() if a), default=None)
        if newest is None:
            return []
        end = newest - self.lateness
        # A first run starts at the present: history is the baseline, not news.
        start = end if self.minute is None else self.minute + 1
        baselines = {g: Baseline(arrivals[g], self.tracker.policy.baseline) for g in self.groups}
        alerts = []
        for minute in range(start, end + 1):
            for group in self.groups:
                verdict = self.tracker.step(
                    group.group, group.value, arrivals[group], baselines[group], minute
                )
                if verdict is not None:
                    alerts.append(alert_event(verdict, group))
        if end >= start:
            self.minute = end
        return alerts

    def save(self) -> None:
        state = {
            "saved_at": time.time(),
            "minute": self.minute,
            **tracker_state(self.tracker),
        }
        self.redis.set(self.state_key, json.dumps(state))

    def seconds_since_save(self) -> float | None:
        raw = self.redis.get(self.state_key)
        return None if raw is None else time.time() - float(json.loads(raw)["saved_at"])

    def _load(self) -> None:
        raw = self.redis.get(self.state_key)
        if raw is None:
            return
        state = json.loads(raw)
        self.minute = state["minute"]
        restore_tracker(self.tracker, state)


def alert_event(verdict: SpikeVerdict, group: WatchedGroup) -> AlertEvent:
    evidence = verdict.evidence
    return AlertEvent(
        event_id=bounded_id(verdict.fingerprint, f":{verdict.status.value}:{verdict.minute}"),
        occurred_at=_at(verdict.minute + 1),
        produced_at=datetime.now(UTC),
        source="detector",
        fingerprint=verdict.fingerprint,
        alertname=ALERTNAME,
        status=AlertStatus(verdict.status.value),
        group=group.group,
        value=group.value,
        dimension=group.dimension,
        window_minutes=evidence.window_minutes,
        observed=evidence.observed,
        expected=evidence.expected,
        score=evidence.probability,
        started_at=_at(verdict.started_minute),
    )


class AlertSink(Protocol):
    def publish_confirmed(self, event: AlertEvent, timeout: float = 30.0) -> tuple[int, int]: ...


def evaluate_once(detector: SpikeDetector, sink: AlertSink, metrics: DetectorMetrics) -> None:
    """Evaluate, publish (acknowledged), then remember the new place in event time."""
    for alert in detector.evaluate():
        sink.publish_confirmed(alert)
        metrics.alerts.labels(status=alert.status.value).inc()
        log.warning(
            "%s %s %s=%s: %d in %d min, expected %.1f",
            alert.alertname, alert.status.value, alert.group, alert.value,
            alert.observed, alert.window_minutes, alert.expected,
        )  # fmt: skip
    detector.save()
    metrics.evaluated(detector.minute)


def run_forever(
    detector: SpikeDetector,
    sink: AlertSink,
    interval: float,
    metrics: DetectorMetrics,
    heartbeat: Heartbeat,
) -> None:
    while True:
        evaluate_once(detector, sink, metrics)
        heartbeat.beat()
        time.sleep(interval)
