"""`pantau run intake` (the intake service) and `pantau dev intake-openapi`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pantau.context import Context
    from pantau.publisher import EventPublisher
    from producers.intake.context import IntakeContext


def build_context(context: Context, publisher: EventPublisher) -> IntakeContext:
    from producers.intake.context import IntakeContext
    from producers.intake.receipts import Receipts
    from producers.intake.store import RequestStore

    settings = context.settings
    keys = settings.intake_keys()
    if not keys and not settings.intake_auth_disabled:
        raise typer.BadParameter(
            "no API keys: set PANTAU_INTAKE_API_KEYS, or PANTAU_INTAKE_AUTH_DISABLED=true "
            "to accept writes from anyone"
        )
    return IntakeContext(
        profile=context.profile,
        publisher=publisher,
        store=RequestStore(context.redis, context.keys, context.query),
        api_keys=keys,
        auth_disabled=settings.intake_auth_disabled,
        contact=settings.intake_contact,
        key_service=settings.intake_key_service,
        # Receipts need the log's secret (each complaint's salt comes from it) and its
        # tiles under PANTAU_STATE_DIR.
        receipts=None
        if settings.tlog_secret is None
        else Receipts(settings, context.redis, context.profile.witnessing.quorum > 0),
    )


def serve(
    command: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_INTAKE_PORT.")] = None,
) -> None:
    """Serve the intake until interrupted; every accepted complaint is acknowledged by Kafka."""
    import uvicorn

    from pantau.context import context_of
    from producers.intake.app import create_app
    from producers.intake.ratelimit import Rate

    context = context_of(command)
    settings = context.settings
    with context.publisher(client_id="pantau-intake") as publisher:
        web = create_app(
            build_context(context, publisher),
            max_body_bytes=settings.intake_max_body_bytes,
            writes=Rate(
                settings.intake_writes_per_second, int(2 * settings.intake_writes_per_second)
            ),
            reads=Rate(settings.intake_reads_per_second, int(2 * settings.intake_reads_per_second)),
        )
        uvicorn.run(web, host=host, port=port or settings.intake_port, log_level="info")


def openapi(file: Annotated[Path, typer.Argument(help="Where to write the spec.")]) -> None:
    """Write the intake's OpenAPI spec (committed as docs/openapi/intake.json)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(render_openapi())
    typer.echo(f"wrote {file}", err=True)


def render_openapi() -> str:
    import json

    from producers.intake.app import openapi_spec

    return json.dumps(openapi_spec(), indent=2, sort_keys=True) + "\n"
