"""`pantau alerts list | show ID | ack ID --by NAME`, and `pantau run alerts` (the notifier).

An ID is an incident's (`inc-3fa9c2d1`, or one of its parts' fingerprints) or a pipeline
alert's fingerprint (`prometheus:...`)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal

import typer

if TYPE_CHECKING:
    import httpx

    from pantau.context import Context
    from pantau.state.alerts import AlertStore
    from pantau.state.incident_view import IncidentView

app = typer.Typer(
    rich_markup_mode=None,
    help="Operators' alerts: list, show and acknowledge.",
    no_args_is_help=True,
)


def context_of_command(command: typer.Context) -> Context:
    from pantau.context import context_of

    return context_of(command)


def _store(command: typer.Context) -> AlertStore:
    from pantau.state.alerts import AlertStore

    context = context_of_command(command)
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


def _incidents(command: typer.Context) -> list[IncidentView]:
    from pantau.state.incident_log import IncidentLog
    from pantau.state.incident_view import incident_views

    context = context_of_command(command)
    log = IncidentLog(context.redis, context.keys)
    return incident_views(log.events(), log.acknowledgements(), context.profile)


def _find_incident(command: typer.Context, identifier: str) -> IncidentView | None:
    from consumers.alerts.acknowledging import find_incident
    from pantau.state.incident_log import IncidentLog

    context = context_of_command(command)
    return find_incident(IncidentLog(context.redis, context.keys), context.profile, identifier)


class Lang(StrEnum):
    id = "id"
    en = "en"


class Kind(StrEnum):
    surge = "surge"  # complaint spikes, one incident per surge
    deadline = "deadline"  # deadline breaches, one incident per agency and stage
    pipeline = "pipeline"  # Prometheus's alerts on the pipeline itself


@app.command("list")
def list_alerts(
    command: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include resolved ones.")] = False,
    lang: Annotated[Lang, typer.Option(help="Texts in Indonesian or English.")] = Lang.en,
    kind: Annotated[
        list[Kind] | None, typer.Option(help="Only these kinds (repeat the option for more).")
    ] = None,
) -> None:
    """The active incidents (the spikes of one surge together, a deadline breach per agency
    and stage) and pipeline alerts."""
    from rich.console import Console
    from rich.table import Table

    from pantau.state.alert_text import alert_texts

    language: Literal["id", "en"] = "id" if lang is Lang.id else "en"
    table = Table("id", "state", "since (UTC)", "what", "parts", "acknowledged by")
    kinds = set(kind or Kind)
    for view in _incidents(command):
        if (all_ or view.active) and Kind(view.kind) in kinds:
            parts = ", ".join(p.subject[language] for p in view.parts)
            table.add_row(
                view.short_id, view.state, view.started_at.strftime("%Y-%m-%d %H:%M"),
                view.text[language], parts, view.acknowledged_by or "",
            )  # fmt: skip
    context = context_of_command(command)
    for record in _store(command).all(include_resolved=all_):
        # A spike or a breach is listed as a part of its incident.
        if record.source != "stream" and Kind.pipeline in kinds:
            table.add_row(
                record.fingerprint, record.state.value,
                record.started_at.strftime("%Y-%m-%d %H:%M"),
                alert_texts(record, context.profile)[language], "", record.acknowledged_by or "",
            )  # fmt: skip
    Console().print(table)


@app.command()
def show(command: typer.Context, identifier: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """One incident with its parts, or one pipeline alert, with its evidence and lifecycle."""
    from rich.console import Console

    from consumers.alerts.service import record_json

    incident = _find_incident(command, identifier)
    if incident is not None:
        Console().print_json(incident.model_dump_json())
        return
    record = _store(command).get(identifier)
    if record is None:
        typer.secho(f"no incident or alert {identifier}", fg="red")
        raise typer.Exit(1)
    Console().print_json(record_json(record))


@app.command()
def ack(
    command: typer.Context,
    identifier: Annotated[str, typer.Argument(metavar="ID")],
    comment: Annotated[str, typer.Option(help="What you are doing about it (required).")],
) -> None:
    """Acknowledge an incident (all its parts) or a pipeline alert, as the operator whose
    key is PANTAU_OPERATOR_KEY; the notifier tells the webhooks and records it."""
    import httpx

    settings = context_of_command(command).settings
    if settings.operator_key is None:
        typer.secho("PANTAU_OPERATOR_KEY is not set: acknowledging needs your operator key",
                    fg="red", err=True)  # fmt: skip
        raise typer.Exit(2)
    if not comment.strip():
        raise typer.BadParameter("say what you are doing about it", param_hint="--comment")
    headers = {"Authorization": f"Bearer {settings.operator_key.get_secret_value()}"}
    body = {"comment": comment.strip()}
    try:
        with httpx.Client(base_url=settings.notifier_url, headers=headers, timeout=30) as client:
            answer = _post_acknowledgement(client, identifier, body)
    except httpx.HTTPError as error:
        typer.secho(f"the notifier at {settings.notifier_url} is not answering "
                    f"({type(error).__name__}); is `pantau run alerts` running?",
                    fg="red", err=True)  # fmt: skip
        raise typer.Exit(1) from None
    if answer.status_code != 200:
        typer.secho(str(answer.json().get("detail", answer.text)), fg="red", err=True)
        raise typer.Exit(1)
    taken = answer.json()
    name = taken.get("short_id") or taken.get("fingerprint")
    typer.echo(f"{name} acknowledged by {taken['acknowledged_by']}")


def _post_acknowledgement(
    client: httpx.Client, identifier: str, body: dict[str, str]
) -> httpx.Response:
    from urllib.parse import quote

    named = quote(identifier, safe=":@")
    answer = client.post(f"/incidents/{named}/acknowledge", json=body)
    if answer.status_code == 404:  # not an incident: a pipeline alert, perhaps
        answer = client.post(f"/alerts/{named}/acknowledge", json=body)
    return answer


@app.command()
def history(
    command: typer.Context, identifier: Annotated[str, typer.Argument(metavar="ID")]
) -> None:
    """Every recorded step of an incident (fired, notified, escalated, acknowledged,
    resolved), from its topic: who knew what, when."""
    from rich.console import Console
    from rich.table import Table

    from consumers.alerts.history import incident_steps

    settings = context_of_command(command).settings
    steps = incident_steps(settings, identifier)
    if not steps:
        typer.secho(f"no recorded step of {identifier}", fg="red", err=True)
        raise typer.Exit(1)
    table = Table("at (UTC)", "step", "tier", "role", "by", "comment")
    for step in steps:
        table.add_row(
            step.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), step.step,
            "" if step.tier is None else str(step.tier), step.role or "", step.by or "",
            step.comment or "",
        )  # fmt: skip
    Console().print(table)
