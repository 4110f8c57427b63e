"""`pantau state`: the six dimensions' live figures, read from Redis as the wall reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

# Imported inside the functions: `pantau --help` imports this module and must stay quick.
if TYPE_CHECKING:
    from rich.table import Table

    from pantau.state.figures import CityFigures, IndicatorFigures, ProgramFigures


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def state(command: typer.Context) -> None:
    """Print each dimension's complaints, programs and headline indicator, live from Redis."""
    from rich.console import Console

    from pantau.context import context_of
    from pantau.state.compute import city_figures

    context = context_of(command)
    query = context.query
    figures = city_figures(query, context.profile, query.today(), groups=False, areas=False)
    Console().print(dimension_table(figures))


def dimension_table(figures: CityFigures) -> Table:
    from rich.table import Table

    table = Table(title=f"{figures.city}: live figures, {figures.today.isoformat()}")
    columns = ("dimension", "open", "received today", "resolved today",
               "mean to resolve (30 d)", "programs realized", "headline indicator")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "dimension" else "right")
    for dimension in figures.dimensions:
        complaints, programs = dimension.complaints, dimension.programs
        table.add_row(
            dimension.label.id,
            str(complaints.open),
            str(complaints.received_today),
            str(complaints.resolved_today),
            _hours(complaints.ttr_mean_30d_s),
            _realized(programs),
            _headline(dimension.headline),
        )
    return table


def _realized(programs: ProgramFigures) -> str:
    if not programs.planned:
        return "-"
    return f"{programs.completed}/{programs.planned} ({programs.realization_pct:g} %)"


def _headline(indicator: IndicatorFigures | None) -> str:
    if indicator is None:
        return "-"
    text = f"{indicator.label.id} {indicator.value:g} {indicator.unit} ({indicator.period})"
    if indicator.change is not None:
        text += f", {indicator.change:+g}"
    if indicator.target is not None:
        mark = "on target" if indicator.on_target else "off target"
        text += f", target {indicator.target:g} ({mark})"
    return text
