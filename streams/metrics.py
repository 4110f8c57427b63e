"""The worker's pipeline metrics. Labels are bounded: topic, outcome, reason."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "pantau_events",
            "Events read from the event topics, by outcome: applied, unchanged (a duplicate "
            "or superseded event), skipped (applied before), deadletter.",
            ["topic", "outcome"],
            registry=registry,
        )
        self.deadletters = Counter(
            "pantau_deadletters",
            "Messages sent to the dead-letter topic, by reason.",
            ["topic", "reason"],
            registry=registry,
        )
        self.batch_size = Histogram(
            "pantau_batch_size",
            "Messages per processed batch.",
            ["topic"],
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000),
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "pantau_batch_seconds",
            "Time to decode, fold and commit one batch.",
            ["topic"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.event_to_state = Histogram(
            "pantau_event_to_state_seconds",
            "From an event's produced_at to its commit in Redis; at most 64 events of "
            "each batch, spread over it, are observed.",
            ["topic"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "pantau_consumer_lag",
            "Messages in the partitions this worker owns that it has not applied yet.",
            ["topic"],
            registry=registry,
        )
        self.last_commit = Gauge(
            "pantau_last_commit_timestamp_seconds",
            "When this worker last committed a batch to Redis.",
            registry=registry,
        )
        self.redis_retries = Counter(
            "pantau_redis_retries",
            "Redis calls tried again because Redis did not answer; the batch waits meanwhile.",
            registry=registry,
        )
        self.redis_rewinds = Counter(
            "pantau_redis_rewinds",
            "Times a partition was found behind in Redis, holding less than Redis had "
            "acknowledged (it lost writes: killed before its append-only file reached the "
            "disk, or restored from an older copy); the difference is read back from the log.",
            ["topic"],
            registry=registry,
        )
        self.read_back = Counter(
            "pantau_read_back_messages",
            "Messages read back from the log to fill what Redis lost or a failed batch left.",
            ["topic"],
            registry=registry,
        )
