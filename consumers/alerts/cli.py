"""`pantau alerts serve | list | show ID | ack ID --by NAME`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import redis
import typer
import uvicorn
from prometheus_client import CollectorRegistry
from rich.console import Console
from rich.table import Table

from consumers.alerts.lifecycle import acknowledge
from consumers.alerts.service import create_app, record_json
from consumers.alerts.webhooks import notifier_from_settings
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.state.alerts import AlertStore

app = typer.Typer(help="Operators' alerts: the notifier, and list, show and acknowledge.")
console = Console()


def _store(settings: Settings) -> AlertStore:
    return AlertStore(
        redis.Redis.from_url(settings.redis_url.get_secret_value()), KeySpace(settings.redis_prefix)
    )


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (in a container: 0.0.0.0).")
    ] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_ALERTS_PORT.")] = None,
) -> None:
    """Run the notifier: Kafka's alert events and Alertmanager's webhook, to the webhooks."""
    settings = Settings()
    uvicorn.run(create_app(settings), host=host, port=port or settings.alerts_port)


@app.command("list")
def list_alerts(
    all_: Annotated[bool, typer.Option("--all", help="Include resolved alerts.")] = False,
) -> None:
    """The active alerts (firing or acknowledged), newest change first."""
    table = Table("fingerprint", "alert", "state", "since", "summary", "acknowledged by")
    for record in _store(Settings()).all(include_resolved=all_):
        table.add_row(
            record.fingerprint, record.alertname, record.state.value,
            record.started_at.strftime("%Y-%m-%d %H:%M"), record.summary,
            record.acknowledged_by or "",
        )  # fmt: skip
    console.print(table)


@app.command()
def show(fingerprint: str) -> None:
    """One alert with its evidence and lifecycle."""
    record = _store(Settings()).get(fingerprint)
    if record is None:
        console.print(f"[red]no alert {fingerprint}[/]")
        raise typer.Exit(1)
    console.print_json(record_json(record))


@app.command()
def ack(
    fingerprint: str,
    by: Annotated[str, typer.Option(help="Who takes the alert.")],
) -> None:
    """Acknowledge a firing alert; the change goes to the webhooks too."""
    settings = Settings()
    store = _store(settings)
    if store.get(fingerprint) is None:
        console.print(f"[red]no alert {fingerprint}[/]")
        raise typer.Exit(1)
    changed = store.update(
        fingerprint, lambda r: acknowledge(r, by, datetime.now(UTC)) if r else None
    )
    if changed is None:
        console.print(f"{fingerprint} is not firing; nothing to acknowledge")
        raise typer.Exit(1)
    asyncio.run(notifier_from_settings(settings, CollectorRegistry()).notify(changed))
    console.print(f"{fingerprint} acknowledged by {by}")
