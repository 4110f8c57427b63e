"""The spike detector's own metrics, declared in pantau/contract/metrics.py: whether it
keeps evaluating (PantauDetectorStuck compares the last evaluation with its interval),
how far event time has come, and what it published."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pantau.contract import metrics as declared
from pantau.contract.alerts import AlertStatus
from pantau.instruments import counter, gauge


class DetectorMetrics:
    def __init__(self, registry: CollectorRegistry, interval: float) -> None:
        self.last_evaluation = gauge(declared.DETECTOR_LAST_EVALUATION, registry)
        self.interval = gauge(declared.DETECTOR_INTERVAL, registry)
        self.event_time = gauge(declared.DETECTOR_EVENT_TIME, registry)
        self.alerts = counter(declared.DETECTOR_ALERTS, registry)
        self.interval.set(interval)
        for status in AlertStatus:  # both series exist from the start, at 0
            self.alerts.labels(status=status.value)

    def evaluated(self, minute: int | None) -> None:
        self.last_evaluation.set_to_current_time()
        if minute is not None:
            self.event_time.set((minute + 1) * 60)
