"""`pantau dev evaluate-detection` (the spike detector's quality on the simulated city) and
`pantau dev bench` (the whole benchmark)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer


def evaluate_detection(
    command: typer.Context,
    rate: Annotated[float, typer.Option(help="Complaints per simulated day.")] = 1500.0,
    calm_days: Annotated[
        int, typer.Option(help="Days of calm traffic to count false alerts.")
    ] = 21,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """How the spike detector does on the simulated city: surges of 2x, 3x and 5x in
    Smart Living, and false alerts per week over every group on calm weeks."""
    from rich.console import Console
    from rich.table import Table

    from bench.detection import evaluate as run_evaluation
    from pantau.context import context_of

    console = Console()
    profile = context_of(command).profile
    start = datetime(2026, 1, 5, tzinfo=profile.timezone)  # a Monday
    with console.status("simulating and scanning"):
        result = run_evaluation(profile, start, rate, calm_days=calm_days, seed=seed)
    table = Table("surge", "onset (city time)", "caught", "minutes to detect")
    for surge in result.surges:
        caught = "yes" if surge.detected else "no"
        minutes = "-" if surge.minutes_to_detect is None else str(surge.minutes_to_detect)
        table.add_row(f"{surge.factor:g}x", surge.onset.strftime("%a %d %b %H:%M"), caught, minutes)
    console.print(table)
    console.print(
        f"{rate:g} complaints/day: {result.false_alerts} false alerts in {result.calm_weeks:g} "
        f"calm weeks over every dimension, category and kecamatan "
        f"= {result.false_alerts_per_week:.2f} per week"
    )


def bench(
    command: typer.Context,
    events: Annotated[int, typer.Option(help="Events in the workload.", min=1000)] = 1_000_000,
    quick: Annotated[
        bool,
        typer.Option(help="50,000 events, one round and one 20 s latency run at 2,000/s."),
    ] = False,
    rounds: Annotated[
        int, typer.Option(help="Interleaved one-process rounds (medians).", min=1)
    ] = 3,
    latency_rate: Annotated[
        float, typer.Option(help="Events/s held in each latency run.", min=1)
    ] = 12_500.0,
    latency_seconds: Annotated[
        float, typer.Option(help="Length of each latency run.", min=5)
    ] = 300.0,
    latency_runs: Annotated[int, typer.Option(help="Latency runs.", min=1)] = 3,
    seed: Annotated[int, typer.Option(help="The workload's seed.")] = 2023,
    peer: Annotated[bool, typer.Option(help="Also run the Quix Streams peer.")] = True,
    json_out: Annotated[Path, typer.Option("--json", help="Where to write the figures.")] = Path(
        ".pantau-bench/results.json"
    ),
    latency_only: Annotated[
        bool,
        typer.Option(help="Only the latency runs, on the state the last full run left."),
    ] = False,
) -> None:
    """Measure Pantau on a stack of its own against a raw aiokafka baseline and a Quix
    Streams peer, with the same seeded workload; print the table and write the JSON."""
    # Imported here: the suite pulls in every role, which other commands need not load.
    from rich.console import Console

    from bench.report import print_results, write_json
    from bench.suite import LatencyPlan, run_suite
    from bench.suite import latency_only as run_latency_only
    from pantau.context import context_of

    console = Console()
    profile = context_of(command).profile
    size = 50_000 if quick else events
    plan = LatencyPlan(latency_rate, latency_seconds, latency_runs)
    if quick:
        rounds, plan = 1, LatencyPlan(2_000.0, 20.0, 1)
    with console.status("benchmarking") as status:
        if latency_only:
            results = run_latency_only(profile, size, plan, seed, status.update)
        else:
            results = run_suite(profile, size, seed, peer, rounds, plan, say=status.update)
    print_results(results, console)
    write_json(results, json_out)
    console.print(f"written to {json_out}")
    wrong = sum(results.checks.values())
    failed = any(figure.met is False and figure.value is None for figure in results.figures)
    raise typer.Exit(1 if wrong or failed else 0)
