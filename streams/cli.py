"""`pantau worker`: the stream worker."""

from __future__ import annotations

import logging
from typing import Annotated

import faust
import redis
import typer
from prometheus_client import CollectorRegistry, ProcessCollector

from pantau.contract.city import load_city_profile
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.publisher import EventPublisher
from pantau.state.collector import CityStateCollector
from pantau.state.query import StateQuery
from streams.app import build_worker
from streams.detector import SpikeDetector, run_forever
from streams.views import add_views


def worker(
    web_port: Annotated[int | None, typer.Option(help="Default: PANTAU_WORKER_WEB_PORT.")] = None,
    loglevel: Annotated[str, typer.Option(help="crit, error, warn, info or debug.")] = "info",
) -> None:
    """Apply the event topics to the live state in Redis; serve /metrics and /health."""
    settings = Settings()
    if web_port is not None:
        settings = settings.model_copy(update={"worker_web_port": web_port})
    profile = load_city_profile(settings.city_profile)
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)  # memory and CPU for the pipeline dashboard
    query_client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    registry.register(
        CityStateCollector(StateQuery(query_client, KeySpace(settings.redis_prefix), profile))
    )
    built = build_worker(settings, profile, registry)
    add_views(built)
    # The web port is part of the app's configuration (build_worker), not the runner's.
    faust.Worker(built.app, loglevel=loglevel).execute_from_commandline()


def detect(
    interval: Annotated[float, typer.Option(help="Seconds between evaluations.")] = 10.0,
    check: Annotated[
        bool, typer.Option(help="Only report whether a detector saved its state lately.")
    ] = False,
) -> None:
    """Watch complaint arrivals for spikes; publish firing and resolved alerts."""
    settings = Settings()
    profile = load_city_profile(settings.city_profile)
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    keys = KeySpace(settings.redis_prefix)
    detector = SpikeDetector(StateQuery(client, keys, profile), client, keys)
    if check:
        age = detector.seconds_since_save()
        typer.echo("never ran" if age is None else f"state saved {age:.0f} s ago")
        raise typer.Exit(0 if age is not None and age < 3 * interval else 1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with EventPublisher(settings, client_id="pantau-detector") as publisher:
        run_forever(detector, publisher, interval)
