"""The `pantau` command: one entry point that composes the roles' commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bench.cli import bench, evaluate_detection
from consumers.alerts.cli import app as alerts_app
from consumers.audit.cli import app as audit_app
from dashboards.cli import app as dashboards_app
from dashboards.wall.cli import wall
from deploy.stack.cli import app as stack_app
from pantau.contract.schemas import export_schemas
from producers.cli import app as produce_app
from producers.intake.cli import app as intake_app
from streams.cli import detect, worker
from streams.show import state

app = typer.Typer(
    help="Pantau: the Smart City command center's stream processor.",
    pretty_exceptions_show_locals=False,
)
schema_app = typer.Typer(help="The event contract's JSON Schemas.")
app.add_typer(stack_app, name="stack")
app.add_typer(schema_app, name="schema")
app.add_typer(produce_app, name="produce")
app.add_typer(intake_app, name="intake")
app.add_typer(alerts_app, name="alerts")
app.add_typer(audit_app, name="audit")
app.add_typer(dashboards_app, name="dashboards")
app.command()(worker)
app.command()(evaluate_detection)
app.command()(bench)
app.command()(detect)
app.command()(state)
app.command()(wall)
console = Console()


@schema_app.command("export")
def schema_export(
    directory: Annotated[Path, typer.Argument(help="Where to write one file per event kind.")],
) -> None:
    """Write the JSON Schema of each event kind."""
    for path in export_schemas(directory):
        console.print(f"wrote {path}")
