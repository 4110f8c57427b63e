"""The detection evaluation as rich tables: per rate, each surge size and length with
the share caught and the median minutes to detect, for each detector compared, and
the false incidents a week city-wide."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from bench.detection import Evaluation, caught_share, median_minutes, outcomes_by_cell


def print_comparison(rate: float, by_detector: Mapping[str, Evaluation], console: Console) -> None:
    names = list(by_detector)
    first = by_detector[names[0]]
    plan = first.plan
    table = Table(
        title=f"{rate:g} complaints a day: {plan.surges_per_cell} surges per row, "
        f"{plan.calm_weeks} calm weeks",
        title_justify="left",
    )
    table.add_column("surge", no_wrap=True)
    for name in names:
        table.add_column(f"{name}\ncaught", justify="right")
        table.add_column(f"{name}\nmedian min", justify="right")
    for factor, minutes, _ in outcomes_by_cell(first):
        row = [f"{factor:g}x for {minutes} min"]
        for evaluation in by_detector.values():
            outcomes = evaluation.cell(factor, minutes)
            median = median_minutes(outcomes)
            row += [f"{caught_share(outcomes):.0%}", "-" if median is None else f"{median:g}"]
        table.add_row(*row)
    false_row = ["false incidents a week"]
    for evaluation in by_detector.values():
        false_row += [f"{evaluation.false_incidents_per_week:.2f}", ""]
    table.add_section()
    table.add_row(*false_row)
    console.print(table)
