"""`pantau state`: the six dimensions' live figures, read from Redis as the wall reads them."""

from __future__ import annotations

import redis
from rich.console import Console
from rich.table import Table

from pantau.contract.city import load_city_profile
from pantau.contract.settings import Settings
from pantau.state.compute import city_figures
from pantau.state.figures import CityFigures, IndicatorFigures, ProgramFigures
from pantau.state.keyspace import KeySpace
from pantau.state.query import StateQuery


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def state() -> None:
    """Print each dimension's complaints, programs and headline indicator, live from Redis."""
    settings = Settings()
    profile = load_city_profile(settings.city_profile)
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    query = StateQuery(client, KeySpace(settings.redis_prefix), profile)
    figures = city_figures(query, profile, query.today(), groups=False)
    Console().print(dimension_table(figures))


def dimension_table(figures: CityFigures) -> Table:
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
