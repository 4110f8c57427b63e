"""The benchmark's table (figures, targets, ratios, the machine) and its JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.suite import Results


def print_results(results: Results, console: Console) -> None:
    table = Table("figure", "value", "target", "met", title=f"{results.events:,} events")
    for figure in results.figures:
        value = "-" if figure.value is None else f"{figure.value:,.2f} {figure.unit}"
        met = "" if figure.met is None else ("yes" if figure.met else "NO")
        table.add_row(figure.name, value, figure.target, met)
    console.print(table)
    checks = ", ".join(f"{name}: {wrong} wrong" for name, wrong in results.checks.items())
    console.print(f"aggregates checked against the expected state: {checks}")
    console.print("machine: " + ", ".join(f"{k} {v}" for k, v in results.machine.items()))


def write_json(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(results), indent=2))
