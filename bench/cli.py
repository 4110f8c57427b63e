"""`pantau dev evaluate-detection` (the spike detector's quality on the simulated city),
`pantau dev bench` (the whole benchmark) and `pantau dev wall-heap` (the wall page's memory
over a long run)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def evaluate_detection(
    command: typer.Context,
    rate: Annotated[
        list[float] | None,
        typer.Option(help="Complaints per simulated day; repeat for several.", min=1),
    ] = None,
    calm_weeks: Annotated[
        int, typer.Option(help="Weeks of ordinary traffic counted for false incidents.", min=1)
    ] = 20,
    surges: Annotated[
        int, typer.Option(help="Surges per size and length (2x, 3x, 5x; 60, 180 min).", min=1)
    ] = 30,
    seed: Annotated[int, typer.Option(help="Seeds the city, its traffic and its surges.")] = 1,
    cusum_threshold: Annotated[
        float | None,
        typer.Option(help="Try this CUSUM threshold (nats) instead of the profile's.", min=0.1),
    ] = None,
    cusum_shift: Annotated[
        float | None,
        typer.Option(help="Try this CUSUM shift (x baseline) instead of the profile's.", min=1.01),
    ] = None,
) -> None:
    """How the spike detector does for operators on the simulated city: surges of 2x, 3x
    and 5x for 60 and 180 minutes at many hours, days and dimensions (share caught as an
    incident, median minutes to detect) and false incidents a week city-wide on calm
    weeks; the window test alone against the window test with the CUSUM."""
    # Imported here: the evaluation loads the simulator, which other commands need not.
    from dataclasses import replace

    from rich.console import Console

    from bench.detection import EvaluationPlan, evaluate, simulate
    from bench.detection_report import print_comparison
    from pantau.context import context_of
    from pantau.detection.cusum import CusumPolicy
    from pantau.detection.spike import policy_for

    console = Console()
    profile = context_of(command).profile
    chosen = policy_for(profile)
    cusum = chosen.cusum or CusumPolicy()
    if cusum_threshold is not None:
        cusum = replace(cusum, threshold=cusum_threshold)
    if cusum_shift is not None:
        cusum = replace(cusum, shift=cusum_shift)
    if cusum.resolve_margin >= cusum.threshold:
        raise typer.BadParameter(
            f"must be above the resolve margin ({cusum.resolve_margin:g} nats)",
            param_hint="--cusum-threshold",
        )
    detectors = {
        "window test": replace(chosen, cusum=None),
        "window + CUSUM": replace(chosen, cusum=cusum),
    }
    for per_day in rate or [150.0, 1500.0]:
        plan = EvaluationPlan(per_day, calm_weeks=calm_weeks, surges_per_cell=surges, seed=seed)
        with console.status(f"{per_day:g} a day: simulating") as status:
            city = simulate(profile, plan, chosen)
            results = {}
            for name, policy in detectors.items():
                status.update(f"{per_day:g} a day: scanning with the {name}")
                results[name] = evaluate(city, policy)
        print_comparison(per_day, results, console)
    console.print(
        f"CUSUM: shift {cusum.shift:g}x, threshold {cusum.threshold:g} nats, resolve margin "
        f"{cusum.resolve_margin:g}; seed {seed}. A surge is caught when an incident of its "
        "dimension gains a dimension or category alert between onset and 30 minutes after "
        "its end."
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
    latency_rewrite: Annotated[
        bool,
        typer.Option(
            help="Force an append-only-file rewrite halfway through each latency run; "
            "without it, the runs show the worker's own margin (the targets are not judged)."
        ),
    ] = True,
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
    plan = LatencyPlan(latency_rate, latency_seconds, latency_runs, latency_rewrite)
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


def wall_heap(
    command: typer.Context,
    url: Annotated[
        str, typer.Option(help="The wall page; default: http://127.0.0.1:PANTAU_WALL_PORT/.")
    ] = "",
    minutes: Annotated[float, typer.Option(help="Minute of the last reading.", min=0.1)] = 30.0,
    first: Annotated[
        float, typer.Option(help="Minute of the first reading, once the page has warmed up.")
    ] = 5.0,
    max_growth: Annotated[
        float, typer.Option(help="Growth of the used heap allowed, in percent.", min=0)
    ] = 10.0,
    lang: Annotated[str, typer.Option(help="The page's language: id or en.")] = "id",
    width: Annotated[int, typer.Option(help="Screen width.", min=320)] = 1920,
    height: Annotated[int, typer.Option(help="Screen height.", min=240)] = 1080,
) -> None:
    """Open the wall in headless Chromium against a running stack (the demo feed moving it),
    force garbage collection and read the page's JavaScript heap at minute FIRST and at
    minute MINUTES; print both and their ratio, and exit 1 when the heap grew by more than
    MAX_GROWTH percent. Not part of the tests: it takes half an hour."""
    import asyncio

    from bench.heap import HeapPlan, conclusion, describe, within
    from bench.wall_heap import measure
    from pantau.context import context_of

    try:
        plan = HeapPlan(first, minutes, max_growth / 100)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--first") from error
    settings = context_of(command).settings
    page = f"{url or f'http://127.0.0.1:{settings.wall_port}/'}?lang={lang}"
    typer.echo(f"watching {page} for {minutes:g} minutes")
    first_reading, last_reading = asyncio.run(measure(page, plan, (width, height), typer.echo))
    for reading in (first_reading, last_reading):
        typer.echo(describe(reading))
    typer.echo(conclusion(plan, first_reading, last_reading))
    raise typer.Exit(0 if within(plan, first_reading, last_reading) else 1)
