"""The worker's pipeline metrics, declared in pantau/contract/metrics.py. Labels are
bounded: topic, outcome, reason."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pantau.contract import metrics as declared
from pantau.instruments import counter, gauge, histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
BATCH_SIZE_BUCKETS = (1, 10, 50, 100, 250, 500, 1000, 2000, 5000)


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = counter(declared.EVENTS, registry)
        self.deadletters = counter(declared.DEADLETTERS, registry)
        self.batch_size = histogram(declared.BATCH_SIZE, registry, BATCH_SIZE_BUCKETS)
        self.batch_seconds = histogram(declared.BATCH_SECONDS, registry, LATENCY_BUCKETS)
        self.event_to_state = histogram(declared.EVENT_TO_STATE_SECONDS, registry, LATENCY_BUCKETS)
        self.consumer_lag = gauge(declared.CONSUMER_LAG, registry)
        self.last_commit = gauge(declared.LAST_COMMIT, registry)
        self.redis_retries = counter(declared.REDIS_RETRIES, registry)
        self.redis_rewinds = counter(declared.REDIS_REWINDS, registry)
        self.read_back = counter(declared.READ_BACK, registry)
