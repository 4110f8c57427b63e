"""`pantau produce ...`: importers and the city simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pantau.contract.dimensions import Dimension
from pantau.contract.kinds import EventKind
from pantau.stopping import stop_on_signals
from producers.simulator.rhythm import Spike

if TYPE_CHECKING:
    from threading import Event

    from rich.console import Console

    from pantau.context import Context
    from pantau.contract.events import AnyEvent

app = typer.Typer(
    rich_markup_mode=None,
    help="Publish events: import files, or run the city simulator.",
    no_args_is_help=True,
)


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


@app.command("import")
def import_command(
    command: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .jsonl")],
    kind: Annotated[
        EventKind | None,
        typer.Option(help="The kind of every line; without it each line names its own."),
    ] = None,
) -> None:
    """Validate every line, publish the good ones, write the bad ones to a reject file."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from pantau.context import context_of
    from pantau.contract.errors import ContractError
    from pantau.publisher import PublishError
    from producers.import_parallel import import_file_parallel

    context, console = context_of(command), _console()
    settings, profile = context.settings, context.profile
    total = sum(1 for _ in file.open("rb"))
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    )  # fmt: skip
    try:
        with progress:
            task = progress.add_task(f"importing {file.name}", total=total)

            def on_line(line: int) -> None:
                if line % 1000 == 0:  # a redraw per line would cost more than the line
                    progress.update(task, completed=line)

            summary = import_file_parallel(
                file, kind, settings, profile, client_id="pantau-importer", on_line=on_line
            )
            progress.update(task, completed=total)
    except (ContractError, PublishError) as error:
        console.print(f"[red]import failed:[/] {error}")
        raise typer.Exit(1) from None
    for rejected in summary.rejected[:20]:
        reasons = "; ".join(str(p) for p in rejected.problems)
        console.print(f"line {rejected.line}: {reasons}", markup=False)
    if len(summary.rejected) > 20:
        console.print(f"... and {len(summary.rejected) - 20} more rejected lines")
    console.print(f"published {summary.published}, rejected {len(summary.rejected)}")
    if summary.reject_file:
        console.print(f"rejected lines are in {summary.reject_file}")


def parse_spike(text: str) -> Spike:
    """DIMENSION:START_MINUTES:FACTOR[:MINUTES], in simulated time from the start."""
    parts = text.split(":")
    try:
        if len(parts) not in (3, 4):
            raise ValueError("expected DIMENSION:START_MINUTES:FACTOR[:MINUTES]")
        dimension = Dimension(parts[0])
        start, factor = float(parts[1]), float(parts[2])
        duration = float(parts[3]) if len(parts) == 4 else 30.0
        if factor <= 0 or start < 0 or duration <= 0:
            raise ValueError("start must be >= 0, factor and minutes > 0")
    except ValueError as error:
        raise typer.BadParameter(f"{text!r}: {error}", param_hint="--spike") from None
    return Spike(dimension, timedelta(minutes=start), factor, timedelta(minutes=duration))


@app.command()
def demo(
    command: typer.Context,
    seed: Annotated[int, typer.Option(help="Same seed, same events.")] = 2023,
    rate: Annotated[float, typer.Option(help="Complaints per simulated day.", min=1)] = 150.0,
    day_minutes: Annotated[
        float | None,
        typer.Option(
            help="Wall-clock minutes per simulated day (compressed time); default 60, "
            "or the real clock after --history-days.",
            min=0.01,
        ),
    ] = None,
    history_days: Annotated[
        int,
        typer.Option(
            help="First load this many days of the city's past through the importer, then "
            "feed on the real clock (event time = now). Starting again adds nothing twice.",
            min=0,
            max=366,
        ),
    ] = 0,
    duration: Annotated[
        float | None, typer.Option(help="Wall-clock minutes to run (simulated span in dry run).")
    ] = None,
    count: Annotated[int | None, typer.Option(help="Stop after this many events.", min=1)] = None,
    spike: Annotated[
        Spike | None,
        typer.Option(
            parser=parse_spike,
            help="Inject a surge: living:90:4[:30] = Smart Living "
            "at 4x from simulated minute 90 for 30 minutes.",
        ),
    ] = None,
    start: Annotated[
        datetime | None, typer.Option(help="Simulated start (city time); default now.")
    ] = None,
    dry_run: Annotated[
        Path | None, typer.Option(help="Write the events as JSONL here instead of publishing.")
    ] = None,
) -> None:
    """Feed the broker with the demo city: 2023 programs, indicators, live complaints."""
    import itertools

    from pantau.context import context_of
    from producers.simulator.feed import SimulationConfig, city_feed

    context = context_of(command)
    profile = context.profile
    zone = profile.timezone
    if history_days:
        for name, given in (("--start", start), ("--duration", duration), ("--count", count),
                            ("--dry-run", dry_run), ("--day-minutes", day_minutes)):  # fmt: skip
            if given is not None:
                raise typer.BadParameter(
                    "not with --history-days, which feeds on the real clock after the history",
                    param_hint=name,
                )
        with stop_on_signals() as stop:
            _seeded_demo(context, history_days, seed, rate, spike, stop)
        return
    sim_start = (start.replace(tzinfo=zone) if start and start.tzinfo is None else start) or (
        datetime.now(zone).replace(microsecond=0)
    )
    config = SimulationConfig(start=sim_start, seed=seed, complaints_per_day=rate, spike=spike)
    speedup = 24 * 60 / (day_minutes or 60.0)
    events: Iterator[AnyEvent] = city_feed(profile, config)
    if duration is not None:
        horizon = sim_start + timedelta(minutes=duration * speedup)
        events = itertools.takewhile(lambda e: e.occurred_at < horizon, events)
    if count is not None:
        events = itertools.islice(events, count)
    if duration is None and count is None and dry_run is not None:
        raise typer.BadParameter("a dry run needs --duration or --count", param_hint="--dry-run")
    if dry_run is not None:
        written = _write_jsonl(events, dry_run)
        _console().print(f"wrote {written} events to {dry_run}")
        return
    with stop_on_signals() as stop:
        _publish_paced(context, events, sim_start, speedup, stop)


def _seeded_demo(
    context: Context, days: int, seed: int, rate: float, spike: Spike | None, stop: Event
) -> None:
    """The last `days` of the city written as JSON lines and loaded through the importer,
    as an operator would load a file; then the live feed from now, on the real clock."""
    from pantau.stopping import StopRequestedError, raise_if_set
    from producers.importer import import_file
    from producers.simulator.history import seeded_config, split_at

    profile = context.profile
    now = datetime.now(profile.timezone).replace(microsecond=0)
    config = seeded_config(now, days, seed, rate, spike)
    console = _console()
    with console.status(f"simulating the city's last {days} days"):
        history, live = split_at(profile, config, now)
    folder = context.settings.state_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"history-{seed}-{rate:g}-{config.start:%Y%m%d}.jsonl"
    _write_jsonl(iter(history), path)
    try:
        with (
            context.publisher(client_id="pantau-demo-history") as publisher,
            console.status(f"importing {len(history)} events of history from {path}"),
        ):
            summary = import_file(
                path, None, publisher, profile, source="simulator",
                on_line=lambda _: raise_if_set(stop),
            )  # fmt: skip
            publisher.flush()
    except StopRequestedError:
        # What was sent is delivered (the publisher flushes on its way out); the ids are
        # the history's own, so importing it again on the next start adds nothing twice.
        console.print("stopped during the history; the next start imports the rest")
        return
    if summary.rejected:
        console.print(
            f"[red]{len(summary.rejected)} history lines refused[/]: {summary.reject_file}"
        )
        raise typer.Exit(1)
    console.print(f"history: {summary.published} events since {config.start:%d %b %Y} imported")
    _publish_paced(context, live, now, 1.0, stop)


def _write_jsonl(events: Iterator[AnyEvent], path: Path) -> int:
    from pantau.contract.events import encode_event

    written = 0
    with path.open("wb") as handle:
        for event in events:
            handle.write(encode_event(event) + b"\n")
            written += 1
    return written


def _publish_paced(
    context: Context, events: Iterator[AnyEvent], start: datetime, speedup: float, stop: Event
) -> None:
    """Publish each event when its (simulated) time comes, until the events end or a stop is
    asked for; a wait for the next event ends at once on a stop."""
    import json

    from pantau.publisher import PublishError
    from producers.simulator.feed import paced

    console = _console()
    published = 0
    try:
        with (
            context.publisher(client_id="pantau-demo") as publisher,
            console.status("feeding the demo city") as status,
        ):
            for event in paced(events, start, speedup, sleep=stop.wait):
                if stop.is_set():
                    break
                publisher.publish(event)
                published += 1
                if published % 100 == 0:
                    publisher.flush()
                    local = event.occurred_at.strftime("%a %d %b %H:%M")
                    status.update(f"{published} events published; simulated time {local}")
    except PublishError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    if stop.is_set():
        console.print("stopped")
    console.print(json.dumps({"published": published}))
