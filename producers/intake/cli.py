"""`pantau intake serve | openapi`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import redis
import typer
import uvicorn
from rich.console import Console

from pantau.contract.city import load_city_profile
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.publisher import EventPublisher
from pantau.state.query import StateQuery
from producers.intake.app import create_app, openapi_spec
from producers.intake.context import IntakeContext
from producers.intake.ratelimit import Rate
from producers.intake.store import RequestStore

app = typer.Typer(help="The complaint intake service (Open311 GeoReport v2 and agencies' API).")
console = Console(stderr=True)


def build_context(settings: Settings, publisher: EventPublisher) -> IntakeContext:
    keys = settings.intake_keys()
    if not keys and not settings.intake_auth_disabled:
        raise typer.BadParameter(
            "no API keys: set PANTAU_INTAKE_API_KEYS, or PANTAU_INTAKE_AUTH_DISABLED=true "
            "to accept writes from anyone"
        )
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    profile = load_city_profile(settings.city_profile)
    live = StateQuery(client, KeySpace(settings.redis_prefix), profile)
    return IntakeContext(
        profile=profile,
        publisher=publisher,
        store=RequestStore(client, live.keys, live),
        api_keys=keys,
        auth_disabled=settings.intake_auth_disabled,
        contact=settings.intake_contact,
        key_service=settings.intake_key_service,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_INTAKE_PORT.")] = None,
) -> None:
    """Serve the intake until interrupted; every accepted complaint is acknowledged by Kafka."""
    settings = Settings()
    with EventPublisher(settings, client_id="pantau-intake") as publisher:
        context = build_context(settings, publisher)
        web = create_app(
            context,
            max_body_bytes=settings.intake_max_body_bytes,
            writes=Rate(
                settings.intake_writes_per_second, int(2 * settings.intake_writes_per_second)
            ),
            reads=Rate(settings.intake_reads_per_second, int(2 * settings.intake_reads_per_second)),
        )
        uvicorn.run(web, host=host, port=port or settings.intake_port, log_level="info")


@app.command()
def openapi(file: Annotated[Path, typer.Argument(help="Where to write the spec.")]) -> None:
    """Write the intake's OpenAPI spec (committed as docs/openapi/intake.json)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(render_openapi())
    console.print(f"wrote {file}")


def render_openapi() -> str:
    return json.dumps(openapi_spec(), indent=2, sort_keys=True) + "\n"
