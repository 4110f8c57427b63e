"""`pantau alerts list | show ID | ack ID --by NAME`, and `pantau run alerts` (the notifier)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pantau.state.alerts import AlertStore

app = typer.Typer(
    rich_markup_mode=None,
    help="Operators' alerts: list, show and acknowledge.",
    no_args_is_help=True,
)


def _store(command: typer.Context) -> AlertStore:
    from pantau.context import context_of
    from pantau.state.alerts import AlertStore

    context = context_of(command)
    return AlertStore(context.redis, context.keys)


def serve(
    command: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on (in a container: 0.0.0.0).")
    ] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_ALERTS_PORT.")] = None,
) -> None:
    """Run the notifier: Kafka's alert events and Alertmanager's webhook, to the webhooks."""
    import uvicorn

    from consumers.alerts.service import create_app
    from pantau.context import context_of

    context = context_of(command)
    uvicorn.run(create_app(context), host=host, port=port or context.settings.alerts_port)


@app.command("list")
def list_alerts(
    command: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include resolved alerts.")] = False,
) -> None:
    """The active alerts (firing or acknowledged), newest change first."""
    from rich.console import Console
    from rich.table import Table

    table = Table("fingerprint", "alert", "state", "since", "summary", "acknowledged by")
    for record in _store(command).all(include_resolved=all_):
        table.add_row(
            record.fingerprint, record.alertname, record.state.value,
            record.started_at.strftime("%Y-%m-%d %H:%M"), record.summary,
            record.acknowledged_by or "",
        )  # fmt: skip
    Console().print(table)


@app.command()
def show(command: typer.Context, fingerprint: str) -> None:
    """One alert with its evidence and lifecycle."""
    from rich.console import Console

    from consumers.alerts.service import record_json

    record = _store(command).get(fingerprint)
    if record is None:
        typer.secho(f"no alert {fingerprint}", fg="red")
        raise typer.Exit(1)
    Console().print_json(record_json(record))


@app.command()
def ack(
    command: typer.Context,
    fingerprint: str,
    by: Annotated[str, typer.Option(help="Who takes the alert.")],
) -> None:
    """Acknowledge a firing alert; the change goes to the webhooks too."""
    import asyncio
    from datetime import UTC, datetime

    from prometheus_client import CollectorRegistry

    from consumers.alerts.lifecycle import acknowledge
    from consumers.alerts.webhooks import webhook_notifier
    from pantau.context import context_of

    store = _store(command)
    if store.get(fingerprint) is None:
        typer.secho(f"no alert {fingerprint}", fg="red")
        raise typer.Exit(1)
    changed = store.update(
        fingerprint, lambda r: acknowledge(r, by, datetime.now(UTC)) if r else None
    )
    if changed is None:
        typer.echo(f"{fingerprint} is not firing; nothing to acknowledge")
        raise typer.Exit(1)
    asyncio.run(webhook_notifier(context_of(command), CollectorRegistry()).notify(changed))
    typer.echo(f"{fingerprint} acknowledged by {by}")
