"""Every metric Pantau exports: its name, type, help and label set, in one place.

The worker's pipeline metrics (streams/metrics.py), the city gauges read from Redis at
scrape time (pantau/state/collector.py), the notifier's metrics (consumers/alerts/), and
the detector's, the checkpointer's and the wall's are built from these declarations; the
Prometheus rules and the Grafana dashboards are checked against them
(tests/unit/contract/test_metric_names.py), so a rule or a panel cannot name a metric that
no code exports.

Names are as client_python declares them: a counter `pantau_events` is exposed as
`pantau_events_total`, a histogram `pantau_batch_seconds` as `…_bucket`, `…_sum` and
`…_count`. Labels are bounded (design invariant 5): dimension, status, window, topic,
outcome, reason, and the keys and labels of the city profile; never an id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["counter", "gauge", "histogram"]
SUFFIXES: dict[Kind, tuple[str, ...]] = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
}


@dataclass(frozen=True)
class MetricSpec:
    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()

    @property
    def series_names(self) -> frozenset[str]:
        """The names its samples carry in the exposition format, as queries name them."""
        return frozenset(self.name + suffix for suffix in SUFFIXES[self.kind])


def _gauge(name: str, help: str, *labels: str) -> MetricSpec:
    return MetricSpec(name, "gauge", help, labels)


def _counter(name: str, help: str, *labels: str) -> MetricSpec:
    return MetricSpec(name, "counter", help, labels)


def _histogram(name: str, help: str, *labels: str) -> MetricSpec:
    return MetricSpec(name, "histogram", help, labels)


# The worker's pipeline (streams/metrics.py).
EVENTS = _counter(
    "pantau_events",
    "Events read from the event topics, by outcome: applied, unchanged (a duplicate or "
    "superseded event), skipped (applied before), deadletter.",
    "topic", "outcome",
)  # fmt: skip
DEADLETTERS = _counter(
    "pantau_deadletters", "Messages sent to the dead-letter topic, by reason.", "topic", "reason"
)
BATCH_SIZE = _histogram("pantau_batch_size", "Messages per processed batch.", "topic")
BATCH_SECONDS = _histogram(
    "pantau_batch_seconds", "Time to decode, fold and commit one batch.", "topic"
)
EVENT_TO_STATE_SECONDS = _histogram(
    "pantau_event_to_state_seconds",
    "From an event's produced_at to its commit in Redis; at most 64 events of each batch, "
    "spread over it, are observed.",
    "topic",
)
CONSUMER_LAG = _gauge(
    "pantau_consumer_lag",
    "Messages in the partitions this worker owns that it has not applied yet.",
    "topic",
)
LAST_COMMIT = _gauge(
    "pantau_last_commit_timestamp_seconds", "When this worker last committed a batch to Redis."
)
REDIS_RETRIES = _counter(
    "pantau_redis_retries",
    "Redis calls tried again because Redis did not answer; the batch waits meanwhile.",
)
REDIS_REWINDS = _counter(
    "pantau_redis_rewinds",
    "Times a partition was found behind in Redis, holding less than Redis had acknowledged "
    "(it lost writes: killed before its append-only file reached the disk, or restored "
    "from an older copy); the difference is read back from the log.",
    "topic",
)
READ_BACK = _counter(
    "pantau_read_back_messages",
    "Messages read back from the log to fill what Redis lost or a failed batch left.",
    "topic",
)
PIPELINE = (EVENTS, DEADLETTERS, BATCH_SIZE, BATCH_SECONDS, EVENT_TO_STATE_SECONDS,
            CONSUMER_LAG, LAST_COMMIT, REDIS_RETRIES, REDIS_REWINDS, READ_BACK)  # fmt: skip

# The city's figures (pantau/state/figures.py), read from Redis at scrape time.
STATE_UP = _gauge("pantau_state_up", "1 when the live state could be read from Redis.")
COMPLAINTS_RECEIVED = _counter(
    "pantau_complaints_received",
    "Complaints received since the log began; rate() gives arrivals over time.",
    "dimension",
)
COMPLAINTS_OPEN = _gauge(
    "pantau_complaints_open", "Complaints not resolved or rejected.", "dimension"
)
COMPLAINTS_RECEIVED_TODAY = _gauge(
    "pantau_complaints_received_today", "Complaints received today (city time).", "dimension"
)
COMPLAINTS_RESOLVED_TODAY = _gauge(
    "pantau_complaints_resolved_today", "Complaints resolved today.", "dimension"
)
COMPLAINTS_REJECTED_TODAY = _gauge(
    "pantau_complaints_rejected_today", "Complaints rejected today.", "dimension"
)
RESOLUTION_MEAN = _gauge(
    "pantau_complaint_resolution_mean_seconds", "Mean time to resolution.", "dimension", "window"
)
RESOLUTION_P90 = _gauge(
    "pantau_complaint_resolution_p90_seconds",
    "90th percentile of time to resolution (bucket bound).",
    "dimension", "window",
)  # fmt: skip
PROGRAMS = _gauge(
    "pantau_programs", "Programs of the latest year by status.", "dimension", "status"
)
PROGRAM_REALIZATION = _gauge(
    "pantau_program_realization_ratio", "Completed of planned programs.", "dimension"
)
PROGRAM_REALIZATION_MEAN = _gauge(
    "pantau_program_realization_mean_percent", "Mean realization percent.", "dimension"
)
HEADLINE_VALUE = _gauge(
    "pantau_indicator_headline_value", "The dimension's headline indicator.", "dimension"
)
HEADLINE_CHANGE = _gauge(
    "pantau_indicator_headline_change", "Its latest period less the period before.", "dimension"
)
HEADLINE_TARGET = _gauge("pantau_indicator_headline_target", "Its target.", "dimension")
HEADLINE_ON_TARGET = _gauge(
    "pantau_indicator_headline_on_target", "1 when on the good side of target.", "dimension"
)
DIMENSION_FIGURES = (COMPLAINTS_RECEIVED, COMPLAINTS_OPEN, COMPLAINTS_RECEIVED_TODAY,
                     COMPLAINTS_RESOLVED_TODAY, COMPLAINTS_REJECTED_TODAY, RESOLUTION_MEAN,
                     RESOLUTION_P90, PROGRAMS, PROGRAM_REALIZATION, PROGRAM_REALIZATION_MEAN,
                     HEADLINE_VALUE, HEADLINE_CHANGE, HEADLINE_TARGET,
                     HEADLINE_ON_TARGET)  # fmt: skip

# Service levels (pantau/state/service_judge.py), judged at the scrape's instant.
COMPLAINTS_OVERDUE = _gauge(
    "pantau_complaints_overdue",
    "Open complaints past the deadline of a stage not yet done.",
    "dimension",
)
COMPLAINTS_DUE_24H = _gauge(
    "pantau_complaints_due_24h",
    "Open complaints whose earliest deadline falls within the next 24 hours.",
    "dimension",
)
DEADLINES_BREACHED_TODAY = _gauge(
    "pantau_deadlines_breached_today",
    "Deadlines that fell due today (city time) and were missed.",
    "dimension",
)
ON_TIME_RATIO = _gauge(
    "pantau_complaints_on_time_ratio",
    "Resolutions within their deadline, of all resolutions in the window.",
    "dimension", "window",
)  # fmt: skip
DEADLINES_UNCOVERED = _gauge(
    "pantau_complaints_deadline_uncovered",
    "Open complaints with a deadline beyond the working calendar's years.",
    "dimension",
)
STAGE_MEDIAN = _gauge(
    "pantau_complaint_stage_median_seconds",
    "Median time a stage took (bucket bound), of those met in the window.",
    "dimension", "stage", "window",
)  # fmt: skip
SERVICE_FIGURES = (COMPLAINTS_OVERDUE, COMPLAINTS_DUE_24H, DEADLINES_BREACHED_TODAY,
                   ON_TIME_RATIO, DEADLINES_UNCOVERED, STAGE_MEDIAN)  # fmt: skip

# Complaints by category, kelurahan and agency; every label value is the city profile's.
GROUP_LABELS = {
    "category": ("category", "dimension", "label_id", "label_en"),
    "kelurahan": ("kelurahan", "name", "kecamatan"),
    "agency": ("agency", "name"),
}


def _group_figures(group: str, labels: tuple[str, ...]) -> tuple[MetricSpec, ...]:
    return (
        _gauge(f"pantau_{group}_complaints_open", f"Open complaints by {group}.", *labels),
        _gauge(
            f"pantau_{group}_complaints_received_today",
            f"Complaints received today by {group}.",
            *labels,
        ),
        _gauge(
            f"pantau_{group}_complaints_resolved_today",
            f"Complaints resolved today by {group}.",
            *labels,
        ),
    )


def _group_service_figures(group: str, labels: tuple[str, ...]) -> tuple[MetricSpec, ...]:
    return (
        _gauge(
            f"pantau_{group}_complaints_overdue",
            f"Open complaints past a deadline by {group}.",
            *labels,
        ),
        _gauge(
            f"pantau_{group}_complaints_due_24h",
            f"Open complaints due within 24 hours by {group}.",
            *labels,
        ),
        _gauge(
            f"pantau_{group}_deadlines_breached_today",
            f"Deadlines missed today by {group}.",
            *labels,
        ),
        _gauge(
            f"pantau_{group}_complaints_on_time_ratio_30d",
            f"Resolutions within their deadline in the last 30 days by {group}.",
            *labels,
        ),
    )


GROUP_FIGURES = {group: _group_figures(group, labels) for group, labels in GROUP_LABELS.items()}
GROUP_SERVICE_FIGURES = {
    group: _group_service_figures(group, labels) for group, labels in GROUP_LABELS.items()
}
# Stage times are kept per dimension and per agency: the agency league table's medians.
AGENCY_STAGE_MEDIAN = _gauge(
    "pantau_agency_stage_median_seconds_30d",
    "Median time a stage took in the last 30 days (bucket bound) by agency.",
    *GROUP_LABELS["agency"], "stage",
)  # fmt: skip
CITY_STATE = (STATE_UP, *DIMENSION_FIGURES, *SERVICE_FIGURES,
              *(spec for specs in GROUP_FIGURES.values() for spec in specs),
              *(spec for specs in GROUP_SERVICE_FIGURES.values() for spec in specs),
              AGENCY_STAGE_MEDIAN)  # fmt: skip

# The alert notifier (consumers/alerts/).
ALERTS_ACTIVE = _gauge(
    "pantau_alerts_active",
    "Alerts firing or acknowledged, by name, state and dimension.",
    "alertname", "state", "dimension",
)  # fmt: skip
WEBHOOK_DELIVERIES = _counter(
    "pantau_alert_webhook_deliveries",
    "Alert changes sent to webhooks, by outcome: delivered, retried, failed.",
    "outcome",
)
NOTIFIER = (ALERTS_ACTIVE, WEBHOOK_DELIVERIES)

# The spike detector (streams/detector_metrics.py).
DETECTOR_LAST_EVALUATION = _gauge(
    "pantau_detector_last_evaluation_timestamp_seconds",
    "When the detector last finished evaluating the arrivals and saved its place.",
)
DETECTOR_INTERVAL = _gauge(
    "pantau_detector_interval_seconds",
    "Seconds the detector waits between evaluations, as it was started with.",
)
DETECTOR_EVENT_TIME = _gauge(
    "pantau_detector_event_time_seconds",
    "The end of the last event-time minute the detector has judged.",
)
DETECTOR_ALERTS = _counter(
    "pantau_detector_alerts_published",
    "Spike verdicts published to the alerts topic, by status: firing, resolved.",
    "status",
)
DETECTOR = (DETECTOR_LAST_EVALUATION, DETECTOR_INTERVAL, DETECTOR_EVENT_TIME, DETECTOR_ALERTS)

# The audit checkpointer (consumers/audit/checkpoint_metrics.py).
CHECKPOINTER_LAST_PROGRESS = _gauge(
    "pantau_checkpointer_last_progress_timestamp_seconds",
    "When the checkpointer last finished a round of reading the event topics.",
)
CHECKPOINTER_LAST_CHECKPOINT = _gauge(
    "pantau_checkpointer_last_checkpoint_timestamp_seconds",
    "When the checkpointer last recorded a checkpoint.",
)
CHECKPOINTER_EVENTS = _counter(
    "pantau_checkpointer_events_chained",
    "Events added to their partition's hash chain in a recorded checkpoint.",
    "topic",
)
CHECKPOINTER_CHECKPOINTS = _counter(
    "pantau_checkpointer_checkpoints", "Checkpoints recorded in the audit topic.", "topic"
)
# The verifiable log, on the checkpointer's endpoint: a listed witness whose last
# cosignature trails the log's last signed checkpoint is falling behind (PantauWitnessBehind).
TLOG_LAST_SIGNED = _gauge(
    "pantau_tlog_last_checkpoint_timestamp_seconds",
    "When the log last signed a checkpoint of its Merkle tree.",
)
TLOG_WITNESS_LAST_COSIGNED = _gauge(
    "pantau_tlog_witness_last_cosigned_timestamp_seconds",
    "When each witness the city profile lists last co-signed a checkpoint (0: never).",
    "witness",
)
CHECKPOINTER = (CHECKPOINTER_LAST_PROGRESS, CHECKPOINTER_LAST_CHECKPOINT,
                CHECKPOINTER_EVENTS, CHECKPOINTER_CHECKPOINTS,
                TLOG_LAST_SIGNED, TLOG_WITNESS_LAST_COSIGNED)  # fmt: skip

# The live wall page (dashboards/wall/metrics.py).
WALL_CLIENTS = _gauge("pantau_wall_clients", "Pages connected to the wall's event stream.")
WALL_LAST_REFRESH = _gauge(
    "pantau_wall_last_refresh_timestamp_seconds",
    "When the wall last read the figures from Redis (on every change notice, and at least "
    "every 5 s).",
)
WALL_LAST_UPDATE = _gauge(
    "pantau_wall_last_update_timestamp_seconds",
    "When the wall last sent changed figures to its pages.",
)
WALL_EVENTS_BEHIND = _gauge(
    "pantau_wall_events_behind",
    "Events in the topic not applied yet, as the wall last read them: Kafka's end offsets "
    "against the offsets the workers committed into Redis (read from outside, so a stopped "
    "worker's lag is still seen).",
    "topic",
)
WALL_LAG_READ = _gauge(
    "pantau_wall_lag_read_timestamp_seconds",
    "When the wall last read the event topics' end offsets from Kafka.",
)
WALL = (WALL_CLIENTS, WALL_LAST_REFRESH, WALL_LAST_UPDATE, WALL_EVENTS_BEHIND, WALL_LAG_READ)

PANTAU = (*PIPELINE, *CITY_STATE, *NOTIFIER, *DETECTOR, *CHECKPOINTER, *WALL)

# Series that queries may name although Pantau declares none of them: Prometheus' own
# per-target series, and the process metrics client_python's ProcessCollector exports
# for the worker, the detector, the checkpointer and the wall.
PROMETHEUS_SERIES = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped",
                               "ALERTS", "ALERTS_FOR_STATE"})  # fmt: skip
PROCESS_SERIES = frozenset({"process_resident_memory_bytes", "process_virtual_memory_bytes",
                            "process_cpu_seconds_total", "process_open_fds", "process_max_fds",
                            "process_start_time_seconds"})  # fmt: skip


def known_series() -> frozenset[str]:
    """Every series name a rule or a panel may query."""
    declared = frozenset(name for spec in PANTAU for name in spec.series_names)
    return declared | PROMETHEUS_SERIES | PROCESS_SERIES
