"""The `pantau` command: one entry point that composes the roles' commands.

`pantau run ROLE` starts a long-running role (what compose and deploy/start.sh run); the
other groups are what an operator asks of a running city; `pantau dev` holds the
developers' tools. Every command module here is light: a command imports its role (faust,
the web stack, the Redis and Kafka clients) when it runs, so `pantau --help` loads none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bench.cli import bench, evaluate_detection, wall_heap
from consumers.alerts.cli import app as alerts_app
from consumers.alerts.cli import serve as alerts
from consumers.audit.cli import app as audit_app
from consumers.audit.cli import checkpoint
from dashboards.cli import app as dashboards_app
from dashboards.wall.cli import wall
from deploy.stack.cli import app as stack_app
from producers.cli import app as produce_app
from producers.intake.cli import openapi
from producers.intake.cli import serve as intake
from streams.cli import detect, worker
from streams.show import state

# Plain help (rich_markup_mode=None here and in every group): rich's help renderer alone
# takes longer to import than the 0.3 s `pantau --help` may take.
app = typer.Typer(
    rich_markup_mode=None,
    help="Pantau: the Smart City command center's stream processor.",
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
)
run_app = typer.Typer(
    rich_markup_mode=None,
    help="Run one long-running role until stopped (one process each).",
    no_args_is_help=True,
)
schema_app = typer.Typer(
    rich_markup_mode=None, help="The event contract's JSON Schemas.", no_args_is_help=True
)
dev_app = typer.Typer(
    rich_markup_mode=None,
    help=(
        "Developers' tools: the benchmark, the detector's evaluation, the OpenAPI file, "
        "the national working calendar, the wall page's heap check."
    ),
    no_args_is_help=True,
)

app.add_typer(run_app, name="run")
app.add_typer(stack_app, name="stack")
app.add_typer(produce_app, name="produce")
app.command()(state)
app.add_typer(alerts_app, name="alerts")
app.add_typer(audit_app, name="audit")
app.add_typer(dashboards_app, name="dashboards")
app.add_typer(schema_app, name="schema")
app.add_typer(dev_app, name="dev")

run_app.command()(worker)
run_app.command()(detect)
run_app.command()(wall)
run_app.command("intake")(intake)
run_app.command("alerts")(alerts)
run_app.command()(checkpoint)

dev_app.command()(bench)
dev_app.command()(evaluate_detection)
dev_app.command("intake-openapi")(openapi)
dev_app.command("wall-heap")(wall_heap)


@schema_app.command("export")
def schema_export(
    directory: Annotated[Path, typer.Argument(help="Where to write one file per event kind.")],
) -> None:
    """Write the JSON Schema of each event kind."""
    from pantau.contract.schemas import export_schemas

    for path in export_schemas(directory):
        typer.echo(f"wrote {path}")


@dev_app.command("calendar")
def calendar(
    years: Annotated[str, typer.Option(help="The years to cover, e.g. 2024-2027.")],
    output: Annotated[
        Path | None,
        typer.Option(help="Where to write it; by default the bundled Indonesian calendar."),
    ] = None,
) -> None:
    """Write Indonesia's national holidays and joint leave days from the holidays library,
    for review and commit (the runtime reads only the committed file)."""
    from pantau.contract.calendar_generator import build_calendar, parse_years, render_calendar
    from pantau.contract.working_calendar import BUNDLED_CALENDARS

    try:
        national = build_calendar(parse_years(years))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--years") from None
    target = output or BUNDLED_CALENDARS / "indonesia.yaml"
    target.write_text(render_calendar(national), encoding="utf-8")
    typer.echo(f"wrote {target} ({national.source})")
    for year in range(national.years.first, national.years.last + 1):
        holidays = sum(d.date.year == year for d in national.holidays)
        joint = sum(d.date.year == year for d in national.joint_leave)
        typer.echo(f"{year}: {holidays} national holidays, {joint} joint leave days")
