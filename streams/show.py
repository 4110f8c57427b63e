"""`pantau state`: the six dimensions' live figures, read from Redis as the wall reads them."""

from __future__ import annotations

import redis
from rich.console import Console
from rich.table import Table

from pantau.contract.city import load_city_profile
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.state.query import StateQuery


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def state() -> None:
    """Print each dimension's complaints, programs and headline indicator, live from Redis."""
    settings = Settings()
    profile = load_city_profile(settings.city_profile)
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    query = StateQuery(client, KeySpace(settings.redis_prefix), profile)
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
