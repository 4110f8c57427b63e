"""`pantau run wall`: serve the live wall page."""

from __future__ import annotations

from typing import Annotated

import typer


def wall(
    command: typer.Context,
    host: Annotated[str, typer.Option(help="Default: PANTAU_WALL_BIND.")] = "",
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_WALL_PORT.")] = None,
) -> None:
    """Serve the full-screen page for the command-center TVs, updated as events arrive;
    /metrics and /health beside it."""
    import logging

    import uvicorn
    from prometheus_client import CollectorRegistry, ProcessCollector

    from dashboards.wall.app import create_app
    from pantau.context import context_of

    context = context_of(command)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # The lag reader assigns and releases partitions at every reading while events wait;
    # aiokafka would log two lines each time.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    uvicorn.run(
        create_app(context, registry),
        host=host or context.settings.wall_bind,
        port=port or context.settings.wall_port,
        log_level="warning",
    )
