"""`pantau state`: the six dimensions' live figures, read from Redis as the wall reads them."""

from __future__ import annotations

import typer


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def state(command: typer.Context) -> None:
    """Print each dimension's complaints, programs and headline indicator, live from Redis."""
    from rich.console import Console
    from rich.table import Table

    from pantau.context import context_of

    context = context_of(command)
    profile, query = context.profile, context.query
    table = Table(title=f"{profile.city.name}: live figures, {query.today().isoformat()}")
    columns = ("dimension", "open", "received today", "resolved today",
               "mean to resolve (30 d)", "programs realized", "headline indicator")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "dimension" else "right")
    for dimension in profile.dimensions:
        complaints = query.complaints("dimension", dimension.key.value)
        programs = query.programs(dimension.key.value)
        indicator = query.indicator(dimension.headline_indicator)
        realized = (
            f"{programs.completed}/{programs.planned} ({programs.realization_pct} %)"
            if programs.planned
            else "-"
        )
        headline = "-"
        if indicator is not None:
            headline = f"{indicator.name} {indicator.value:g} {indicator.unit} ({indicator.period})"
        table.add_row(
            dimension.label_id,
            str(complaints.open),
            str(complaints.received_today),
            str(complaints.resolved_today),
            _hours(complaints.ttr_mean_30d_s),
            realized,
            headline,
        )
    Console().print(table)
