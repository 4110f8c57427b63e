"""`pantau audit replay | snapshot | verify | export`, and `pantau run checkpoint`."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from pantau.contract.keys import CHECKPOINTER_ALIVE_SECONDS as ALIVE_SECONDS

if TYPE_CHECKING:
    from rich.console import Console

    from pantau.contract.city import CityProfile

app = typer.Typer(
    rich_markup_mode=None,
    help="Replay the history, prove the wall's figures, detect tampering.",
    no_args_is_help=True,
)
T = TypeVar("T")


def _console() -> Console:
    from rich.console import Console

    return Console(soft_wrap=True)


def _run(job: Coroutine[Any, Any, T]) -> T:
    """Run an audit job; a log that cannot be read is an error the operator can act on."""
    import asyncio

    from pantau.logreader import LogReadError

    try:
        return asyncio.run(job)
    except LogReadError as error:
        _console().print(f"[red]cannot read the log:[/red] {error}")
        raise typer.Exit(2) from None


def _moment(text: str | None, option: str, profile: CityProfile) -> datetime | None:
    """ISO 8601; without a zone it is the city's local time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=option) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=profile.timezone)


@app.command()
def replay(
    command: typer.Context,
    since: Annotated[
        str | None, typer.Option("--from", help="Log time to start (default: the log's start).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Log time to stop (default: now).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The wall's date for 'today' figures (YYYY-MM-DD)."),
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            help="Replay to a saved snapshot's offsets and compare with it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    into: Annotated[
        str | None,
        typer.Option(
            help="Also write the rebuilt state to Redis under this prefix (never the live one)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Report folder (default: STATE_DIR/audit/replay-TIME).")
    ] = None,
) -> None:
    """Rebuild the state from the log and report what the wall would have shown; compared
    with the live state (whole log to now) or a snapshot. Exit 1 when they differ."""
    from datetime import UTC, date

    from rich.progress import Progress
    from rich.table import Table

    from consumers.audit.namespace import LivePrefixError, write_namespace
    from consumers.audit.report import write_reports
    from consumers.audit.run import audit_replay
    from pantau.context import context_of

    context = context_of(command)
    settings, profile, console = context.settings, context.profile, _console()
    start, stop = _moment(since, "--from", profile), _moment(until, "--to", profile)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter(
            f"{as_of!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from None
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("replaying the log", total=None)
        report, replayed = _run(
            audit_replay(
                context,
                since=start,
                until=stop,
                as_of=day,
                snapshot=snapshot,
                progress=lambda n: bar.advance(task, n),
            )
        )
    if into is not None:
        offsets = {
            shard: stop_at - 1 for shard, stop_at in replayed.window.stop.items() if stop_at > 0
        }
        try:
            written = write_namespace(
                context.redis, into, settings.redis_prefix, replayed.state, offsets
            )
        except LivePrefixError as error:
            raise typer.BadParameter(str(error), param_hint="--into") from None
        console.print(
            f"rebuilt state written under {into}: ({written} keys): "
            f"PANTAU_REDIS_PREFIX={into} pantau run wall"
        )
    folder = (
        out or Path(settings.state_dir) / "audit" / f"replay-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    )
    written_files = write_reports(report, folder)
    summary = Table("events", "rejected", "seconds", "events/s", "compared with", "verdict")
    summary.add_row(
        str(report.events),
        str(report.rejected),
        f"{report.seconds:.2f}",
        f"{report.rate:,.0f}",
        report.compared_with or "-",
        report.verdict,
    )
    console.print(summary)
    for row in report.mismatches[:20]:
        console.print(f"[red]differs[/red] {row.name}: replayed {row.replayed}, shown {row.shown}")
    for difference in report.differences[:20]:
        console.print(f"[red]differs[/red] {difference.partition} {difference.key}")
    console.print("report: " + ", ".join(str(p) for p in written_files))
    raise typer.Exit(1 if report.verdict == "differ" else 0)


@app.command()
def snapshot(
    command: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Folder (default: STATE_DIR/audit/snapshots).")
    ] = None,
) -> None:
    """Save the live figures with the offsets they stand on."""
    from consumers.audit.snapshot import save, take_snapshot
    from pantau.context import context_of

    context = context_of(command)
    taken = take_snapshot(context.redis, context.keys, context.profile)
    path = save(taken, out or Path(context.settings.state_dir) / "audit" / "snapshots")
    _console().print(
        f"snapshot of {len(taken.figures)} figures at {len(taken.offsets)} partition "
        f"offsets: {path}\nprove it later: pantau audit replay --snapshot {path}"
    )


def checkpoint(
    command: typer.Context,
    every: Annotated[int, typer.Option(help="Events per checkpoint.", min=1)] = 500,
    interval: Annotated[
        float, typer.Option(help="Seconds before a partial checkpoint.", min=0.1)
    ] = 30.0,
    once: Annotated[
        bool, typer.Option(help="Checkpoint up to the log's end now, then exit.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            help=f"Only report whether a checkpointer ran in the last {ALIVE_SECONDS} s "
            "(exit 1 if none did)."
        ),
    ] = False,
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_CHECKPOINTER_PORT.")] = None,
) -> None:
    """Extend each partition's hash chain; record checkpoints in pantau.audit and Redis;
    serve /metrics and /health on PANTAU_CHECKPOINTER_PORT (not with --once)."""
    import logging

    from prometheus_client import CollectorRegistry, ProcessCollector

    from consumers.audit.checkpoint import Checkpointer, is_alive
    from consumers.audit.checkpoint_metrics import CheckpointerMetrics
    from pantau.context import context_of
    from pantau.health import HealthServer, Heartbeat

    context = context_of(command).updated(checkpointer_port=port)
    settings = context.settings
    if check:
        alive = is_alive(context.redis, context.keys)
        typer.echo("running" if alive else f"no checkpointer ran in the last {ALIVE_SECONDS} s")
        raise typer.Exit(0 if alive else 1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if once:
        written = Checkpointer(settings, context.redis, every, interval).run(until_caught_up=True)
        typer.echo(f"{written} checkpoints recorded")
        return
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    metrics = CheckpointerMetrics(registry)
    # A round polls for at most half a second; a minute without one is a hung loop.
    heartbeat = Heartbeat(stale_after=60.0)
    host, listen = settings.checkpointer_bind, settings.checkpointer_port
    HealthServer(registry, heartbeat, host, listen).start()
    Checkpointer(settings, context.redis, every, interval, metrics, heartbeat).run()


@app.command()
def verify(
    command: typer.Context,
    log: Annotated[
        Path | None,
        typer.Option(
            help="Verify an exported copy of the log instead of Kafka.", exists=True, dir_okay=False
        ),
    ] = None,
) -> None:
    """Recompute the chains and hold them against the checkpoints. Exit 1 on any finding."""
    from rich.progress import Progress
    from rich.table import Table

    from consumers.audit.run import audit_verify
    from pantau.context import context_of

    context, console = context_of(command), _console()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("reading the log", total=None)
        result = _run(audit_verify(context, log, lambda n: bar.advance(task, n)))
    table = Table("partition", "events", "vouched for", "checkpoints")
    for shard, report in result.shards.items():
        table.add_row(shard, str(report.events), str(report.covered), str(report.checkpoints))
    console.print(table)
    for finding in result.findings:
        where = f"{finding.shard} offset {finding.offset}"
        event = f" ({finding.event_id})" if finding.event_id else ""
        console.print(f"[red]{finding.kind}[/red] {where}{event}: {finding.detail}")
    console.print("intact" if result.intact else f"{len(result.findings)} findings")
    raise typer.Exit(0 if result.intact else 1)


@app.command()
def export(
    command: typer.Context,
    path: Annotated[Path, typer.Argument(help="JSON lines file to write.", dir_okay=False)],
) -> None:
    """Copy the event log to a file (one message per line, with partition and offset)."""
    from rich.progress import Progress

    from consumers.audit.export import export_log
    from pantau.context import context_of

    settings, console = context_of(command).settings, _console()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("exporting the log", total=None)
        count = _run(export_log(settings, path, lambda n: bar.advance(task, n)))
    console.print(f"{count} messages written to {path}")
