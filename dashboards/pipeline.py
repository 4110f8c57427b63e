"""The "Pipeline" dashboard for engineers: is the stream keeping up, and is it healthy?"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard, stat
from grafana_foundation_sdk.builders import timeseries as timeseries_panel

from dashboards.panels import query, thresholds, tile, timeseries

UID = "pantau-pipeline"
RATE = "[$__rate_interval]"


def pipeline(timezone: str) -> dashboard.Dashboard:
    board = (
        dashboard.Dashboard("Pantau · Pipeline")
        .uid(UID)
        .tags(["pantau", "pipeline"])
        .timezone(timezone)
        .time("now-1h", "now")
        .refresh("10s")
        .readonly()
    )
    board = board.with_row(dashboard.Row("Worker health"))
    for health in (workers_up(), state_readable(), since_last_commit(), total_lag()):
        board = board.with_panel(health)
    board = board.with_row(dashboard.Row("Flow"))
    for panel in (throughput(), consumer_lag(), batch_latency(), event_to_state_latency()):
        board = board.with_panel(panel)
    board = board.with_row(dashboard.Row("Failures and resources"))
    for panel in (dead_letters(), webhook_deliveries(), worker_memory(), worker_cpu()):
        board = board.with_panel(panel)
    return board


def workers_up() -> stat.Panel:
    return (
        tile("Workers up", 'sum(up{job="pantau-worker"})')
        .span(6)
        .thresholds(thresholds((None, "red"), (1, "green")))
    )


def state_readable() -> stat.Panel:
    return (
        tile("Redis state readable", "min(pantau_state_up)")
        .span(6)
        .thresholds(thresholds((None, "red"), (1, "green")))
    )


def since_last_commit() -> stat.Panel:
    # Quiet hours are normal; minutes without a commit while lag grows are not.
    expr = "time() - max(pantau_last_commit_timestamp_seconds)"
    return (
        tile("Since the last commit", expr, unit="s")
        .span(6)
        .thresholds(thresholds((None, "green"), (300, "orange"), (900, "red")))
    )


def total_lag() -> stat.Panel:
    return (
        tile("Events behind", "sum(pantau_consumer_lag)")
        .span(6)
        .thresholds(thresholds((None, "green"), (10_000, "orange"), (100_000, "red")))
    )


def throughput() -> timeseries_panel.Panel:
    expr = f"sum by (topic, outcome) (rate(pantau_events_total{RATE}))"
    return timeseries("Events per second", expr, "{{topic}} {{outcome}}", "ops").span(12)


def consumer_lag() -> timeseries_panel.Panel:
    expr = "sum by (topic) (pantau_consumer_lag)"
    return timeseries("Consumer lag (messages)", expr, "{{topic}}").span(12)


def batch_latency() -> timeseries_panel.Panel:
    return _quantiles("Batch time: decode, fold, commit", "pantau_batch_seconds")


def event_to_state_latency() -> timeseries_panel.Panel:
    return _quantiles("Event to state latency", "pantau_event_to_state_seconds")


def _quantiles(title: str, histogram: str) -> timeseries_panel.Panel:
    def quantile(q: float) -> str:
        return f"histogram_quantile({q}, sum by (le) (rate({histogram}_bucket{RATE})))"

    return (
        timeseries(title, quantile(0.5), "p50", "s")
        .with_target(query(quantile(0.99), "p99").ref_id("B"))
        .span(12)
    )


def dead_letters() -> timeseries_panel.Panel:
    expr = f"sum by (topic, reason) (increase(pantau_deadletters_total{RATE}))"
    return timeseries("Dead letters", expr, "{{topic}} {{reason}}").span(6)


def webhook_deliveries() -> timeseries_panel.Panel:
    # Until the first delivery the counter has no series; show zero rather than no data.
    expr = (
        f"sum by (outcome) (increase(pantau_alert_webhook_deliveries_total{RATE}))"
        ' or on() label_replace(vector(0), "outcome", "none", "", "")'
    )
    return timeseries("Alert webhook deliveries", expr, "{{outcome}}").span(6)


def worker_memory() -> timeseries_panel.Panel:
    expr = 'process_resident_memory_bytes{job="pantau-worker"}'
    return timeseries("Worker resident memory", expr, "{{instance}}", "bytes").span(6)


def worker_cpu() -> timeseries_panel.Panel:
    expr = f'rate(process_cpu_seconds_total{{job="pantau-worker"}}{RATE})'
    return timeseries("Worker CPU (cores)", expr, "{{instance}}").span(6)
