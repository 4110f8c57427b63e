"""`pantau run worker` and `pantau run detect`: the stream worker and the spike detector."""

from __future__ import annotations

from typing import Annotated, Any

import typer


def worker(
    command: typer.Context,
    web_port: Annotated[int | None, typer.Option(help="Default: PANTAU_WORKER_WEB_PORT.")] = None,
    loglevel: Annotated[str, typer.Option(help="crit, error, warn, info or debug.")] = "info",
) -> None:
    """Apply the event topics to the live state in Redis; serve /metrics and /health."""
    from prometheus_client import CollectorRegistry, ProcessCollector

    from pantau.allocator import keep_large_buffers_mapped
    from pantau.context import context_of
    from pantau.gcpause import tune_for_a_long_running_fold
    from pantau.state.collector import CityStateCollector
    from streams.app import build_worker
    from streams.views import add_views

    context = context_of(command).updated(worker_web_port=web_port)
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)  # memory and CPU for the pipeline dashboard
    live = context.query
    registry.register(CityStateCollector(live, context.profile, live.now))
    built = build_worker(context, registry)
    add_views(built)
    tune_for_a_long_running_fold()
    keep_large_buffers_mapped()
    # The web port is part of the app's configuration (build_worker), not the runner's.
    quiet_runner(built.app, loglevel).execute_from_commandline()


def quiet_runner(app: Any, loglevel: str) -> Any:
    """Faust's worker runner without its start-up spinner: at levels above info the spinner
    sets the root logger to DEBUG so that any log call turns it, and every debug line of
    aiokafka's fetcher and of Faust would then be built and formatted on the hot path."""
    import faust

    runner = faust.Worker(app, loglevel=loglevel)
    runner.spinner = None
    return runner


def detect(
    command: typer.Context,
    interval: Annotated[float, typer.Option(help="Seconds between evaluations.")] = 10.0,
    check: Annotated[
        bool, typer.Option(help="Only report whether a detector saved its state lately.")
    ] = False,
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_DETECTOR_PORT.")] = None,
) -> None:
    """Watch complaint arrivals for spikes; publish firing and resolved alerts; serve
    /metrics and /health on PANTAU_DETECTOR_PORT."""
    import logging

    from prometheus_client import CollectorRegistry, ProcessCollector

    from pantau.context import context_of
    from pantau.detection.breaches import BreachTracker
    from pantau.health import HealthServer, Heartbeat
    from streams.deadline_watcher import DeadlineWatcher
    from streams.detector import SpikeDetector, run_forever
    from streams.detector_metrics import DetectorMetrics
    from streams.watermark import AppliedOffsets

    context = context_of(command).updated(detector_port=port)
    settings = context.settings
    progress = AppliedOffsets(settings, context.redis, context.keys)
    detector = SpikeDetector(context.query, context.redis, context.keys, progress=progress)
    if check:
        age = detector.seconds_since_save()
        typer.echo("never ran" if age is None else f"state saved {age:.0f} s ago")
        raise typer.Exit(0 if age is not None and age < 3 * interval else 1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    metrics = DetectorMetrics(registry, interval)
    # Stuck once three rounds are overdue, as PantauDetectorStuck judges it; at least a
    # minute, since one round reads every group's arrivals.
    heartbeat = Heartbeat(stale_after=max(3 * interval, 60.0))
    HealthServer(registry, heartbeat, settings.detector_bind, settings.detector_port).start()
    with context.publisher(client_id="pantau-detector") as publisher:
        deadlines = DeadlineWatcher(context.query, context.redis, context.keys, BreachTracker())
        run_forever(detector, publisher, interval, metrics, heartbeat, deadlines)
