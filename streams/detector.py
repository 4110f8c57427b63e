"""`pantau run detect`: the spike detector over the live arrivals.

It reads complaint arrivals per event-time minute (summed over partitions) for every
dimension, category and kecamatan, advances event time minute by minute up to the newest
minute every partition has applied (streams/watermark.py) less a little lateness, and
publishes each firing and resolution to the alerts topic. Its place in event time and the
alerts it holds open live in Redis, so a restart picks up where it stopped; verdict ids
are derived from the verdict, so one published twice is one alert to the consumers.
Run one detector per city.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

import redis

from pantau.contract.alerts import AlertEvent, AlertStatus
from pantau.contract.city import CityProfile
from pantau.contract.dimensions import Dimension
from pantau.contract.ids import bounded_id
from pantau.contract.keys import KeySpace
from pantau.contract.topics import COMPLAINTS
from pantau.detection.baseline import Baseline
from pantau.detection.persist import restore_tracker, tracker_state
from pantau.detection.spike import SpikePolicy, SpikeTracker, SpikeVerdict, policy_for
from pantau.health import Heartbeat
from pantau.state.query import StateQuery
from streams.deadline_watcher import DeadlineWatcher
from streams.detector_metrics import DetectorMetrics
from streams.watermark import ApplyProgress, PartitionProgress, complete_through

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
        progress: ApplyProgress | None = None,
    ) -> None:
        self.query = query
        self.redis = client
        self.state_key = keys.detector_state
        self.groups = watched_groups(query.profile)
        self.lateness = lateness_minutes
        # None: every count read is taken as complete (a replay over a finished log).
        self.progress = progress
        self.tracker = SpikeTracker(policy or policy_for(query.profile))
        # The last minute judged; None before the first run.
        self.minute: int | None = None
        self._load()

    def evaluate(self) -> list[AlertEvent]:
        """Verdicts for every minute complete since the last call, as alert events."""
        # Kafka's offsets before Redis's counts: see streams/watermark.py.
        waiting = set() if self.progress is None else self.progress.waiting_partitions()
        # A first run waits for the workers to catch up: what they are still applying is
        # the city's past, the baseline, not news.
        if waiting is None or (waiting and self.minute is None):
            return []
        arrivals, newest = self._arrivals()
        present = complete_through(
            PartitionProgress(minute, partition in waiting)
            for partition, minute in enumerate(newest)
        )
        if present is None:
            return []
        end = present - self.lateness
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

    def _arrivals(self) -> tuple[dict[WatchedGroup, dict[int, int]], list[int | None]]:
        """Every group's arrivals per minute, and the newest minute each partition has
        applied (read from the dimensions', which count every complaint)."""
        dimensions = [g for g in self.groups if g.group == "dimension"]
        parts = self.query.arrivals_by_partition([(g.group, g.value) for g in dimensions])
        arrivals: dict[WatchedGroup, dict[int, int]] = {}
        for group, by_partition in zip(dimensions, parts, strict=True):
            summed: Counter[int] = Counter()
            for minutes in by_partition:
                summed.update(minutes)
            arrivals[group] = dict(summed)
        for group in self.groups:
            if group not in arrivals:
                arrivals[group] = self.query.arrivals(group.group, group.value, since_minute=0)
        newest = [
            max((max(p[i]) for p in parts if p[i]), default=None)
            for i in range(COMPLAINTS.partitions)
        ]
        return arrivals, newest

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


def evaluate_once(
    detector: SpikeDetector,
    sink: AlertSink,
    metrics: DetectorMetrics,
    deadlines: DeadlineWatcher | None = None,
) -> None:
    """Evaluate, publish (acknowledged), then remember the new place in event time; the
    deadline watcher's breaches too, when there is one."""
    for alert in detector.evaluate():
        sink.publish_confirmed(alert)
        metrics.alerts.labels(status=alert.status.value).inc()
        log.warning(
            "%s %s %s=%s: %d in %d min, expected %.1f",
            alert.alertname, alert.status.value, alert.group, alert.value,
            alert.observed, alert.window_minutes, alert.expected,
        )  # fmt: skip
    # Not before the detector's first run, which waits for the workers to catch up: until
    # then, steps that met deadlines may still be waiting in Kafka, and complaints dealt
    # with long ago would look overdue.
    if deadlines is not None and detector.minute is not None:
        for alert in deadlines.evaluate():
            sink.publish_confirmed(alert)
            metrics.alerts.labels(status=alert.status.value).inc()
            log.warning("%s %s %s %s: %d overdue", alert.alertname, alert.status.value,
                        alert.value, alert.stage, alert.observed)  # fmt: skip
    detector.save()
    metrics.evaluated(detector.minute)


def run_forever(
    detector: SpikeDetector,
    sink: AlertSink,
    interval: float,
    metrics: DetectorMetrics,
    heartbeat: Heartbeat,
    deadlines: DeadlineWatcher | None = None,
) -> None:
    while True:
        evaluate_once(detector, sink, metrics, deadlines)
        heartbeat.beat()
        time.sleep(interval)
