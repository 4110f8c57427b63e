"""`pantau wall`: serve the live wall page."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn

from pantau.contract.settings import Settings


def wall(
    host: Annotated[str, typer.Option(help="Default: PANTAU_WALL_BIND.")] = "",
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_WALL_PORT.")] = None,
) -> None:
    """Serve the full-screen page for the command-center TVs, updated as events arrive."""
    from dashboards.wall.app import create_app  # the web stack loads only for this command

    settings = Settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    uvicorn.run(
        create_app(settings),
        host=host or settings.wall_bind,
        port=port or settings.wall_port,
        log_level="warning",
    )
