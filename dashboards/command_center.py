"""The "Command Center" dashboard for the wall: readable from across the room.

One tile row per Smart City dimension, then complaint arrivals, alerts, where and who,
and how fast complaints are resolved. Rendered once per language (see words.py).
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, dashboard, stat
from grafana_foundation_sdk.builders import table as table_panel
from grafana_foundation_sdk.builders import timeseries as timeseries_panel

from dashboards.panels import (
    WALL_REFRESH,
    league_table,
    ranking,
    rename,
    table,
    thresholds,
    tile,
    timeseries,
)
from dashboards.words import Words
from pantau.contract.city import CityProfile, DimensionProfile, IndicatorProfile
from pantau.contract.events import Direction

TOP = 8


def uid(words: Words) -> str:
    return "pantau-command-center" if words.language == "id" else "pantau-command-center-en"


def command_center(profile: CityProfile, words: Words) -> dashboard.Dashboard:
    board = (
        dashboard.Dashboard(f"Pantau · {words.command_center} {profile.city.name}")
        .uid(uid(words))
        .tags(["pantau", "wall", words.language])
        .timezone(profile.city.timezone)
        .time("now-6h", "now")
        .refresh(WALL_REFRESH)
        .readonly()
    )
    for dimension in profile.dimensions:
        board = board.with_row(dashboard.Row(words.dimension(dimension)))
        for panel in dimension_tiles(profile, dimension, words):
            board = board.with_panel(panel)
    names = {d.key.value: words.dimension(d) for d in profile.dimensions}
    board = board.with_row(dashboard.Row(words.complaints_and_alerts))
    board = board.with_panel(arrivals(words, names))
    board = board.with_panel(alerts_firing(words)).with_panel(active_alerts(words))
    board = board.with_row(dashboard.Row(words.where_and_who))
    for ranked in (top_categories(words), top_kelurahan(words), top_agencies(words)):
        board = board.with_panel(ranked)
    board = board.with_panel(resolution_p90(words, names))
    board = board.with_panel(resolution_mean(words, names))
    board = board.with_row(dashboard.Row(words.service_levels))
    return board.with_panel(overdue_by_dimension(words, names)).with_panel(agency_league(words))


def dimension_tiles(
    profile: CityProfile, dimension: DimensionProfile, words: Words
) -> list[stat.Panel]:
    key = dimension.key.value
    indicator = next(i for i in profile.indicators if i.key == dimension.headline_indicator)
    return [
        open_complaints(key, words),
        received_today(key, words),
        resolved_today(key, words),
        realization(key, words),
        headline(key, indicator, words),
        headline_change(key, indicator, words),
    ]


def open_complaints(dimension: str, words: Words) -> stat.Panel:
    return tile(
        words.open_complaints, f'max(pantau_complaints_open{{dimension="{dimension}"}})'
    ).thresholds(thresholds((None, "green"), (25, "orange"), (50, "red")))


def received_today(dimension: str, words: Words) -> stat.Panel:
    return tile(
        words.received_today, f'max(pantau_complaints_received_today{{dimension="{dimension}"}})'
    )


def resolved_today(dimension: str, words: Words) -> stat.Panel:
    return tile(
        words.resolved_today, f'max(pantau_complaints_resolved_today{{dimension="{dimension}"}})'
    )


def realization(dimension: str, words: Words) -> stat.Panel:
    expr = f'max(pantau_program_realization_ratio{{dimension="{dimension}"}})'
    return (
        tile(words.realization, expr, unit="percentunit")
        .decimals(0)
        .thresholds(thresholds((None, "red"), (0.5, "orange"), (0.8, "green")))
    )


def headline(dimension: str, indicator: IndicatorProfile, words: Words) -> stat.Panel:
    """The dimension's outcome indicator, green on the good side of its target."""
    name = indicator.name_id if words.language == "id" else indicator.name_en
    good_below = indicator.direction == Direction.LOWER_IS_BETTER
    steps = ((None, "green"), (indicator.target, "red")) if good_below else (
        (None, "red"), (indicator.target, "green"))  # fmt: skip
    expr = f'max(pantau_indicator_headline_value{{dimension="{dimension}"}})'
    return tile(name, expr, unit=f"suffix: {indicator.unit}").thresholds(thresholds(*steps))


def headline_change(dimension: str, indicator: IndicatorProfile, words: Words) -> stat.Panel:
    """Its change on the period before: green when it moved the right way."""
    good_below = indicator.direction == Direction.LOWER_IS_BETTER
    better, worse = ("green", "red") if good_below else ("red", "green")
    expr = f'max(pantau_indicator_headline_change{{dimension="{dimension}"}})'
    return tile(words.trend, expr, unit=f"suffix: {indicator.unit}").thresholds(
        thresholds((None, better), (0, "blue"), (1e-9, worse))
    )


def arrivals(words: Words, names: dict[str, str]) -> timeseries_panel.Panel:
    expr = "3600 * max by (dimension) (rate(pantau_complaints_received_total[$__rate_interval]))"
    return (
        timeseries(words.arrivals_per_hour, expr, "{{dimension}}")
        .height(9)
        .span(14)
        .overrides(rename(names))
    )


def alerts_firing(words: Words) -> stat.Panel:
    # Zero is a figure worth showing on the wall, so an empty result reads as 0.
    expr = 'sum(max by (alertname, dimension) (pantau_alerts_active{state="firing"})) or vector(0)'
    return (
        tile(words.alerts_firing, expr)
        .height(9)
        .span(3)
        .thresholds(thresholds((None, "green"), (1, "red")))
    )


def active_alerts(words: Words) -> table_panel.Panel:
    expr = "max by (alertname, state, dimension) (pantau_alerts_active) > 0"
    return table(words.active_alerts, expr).height(9).span(7)


def top_categories(words: Words) -> bargauge.Panel:
    label = "label_id" if words.language == "id" else "label_en"
    expr = f"topk({TOP}, max by (category, {label}) (pantau_category_complaints_open))"
    return ranking(words.top_categories, expr, f"{{{{{label}}}}}").height(10).span(8)


def top_kelurahan(words: Words) -> bargauge.Panel:
    expr = f"topk({TOP}, max by (kelurahan, name) (pantau_kelurahan_complaints_open))"
    return ranking(words.top_kelurahan, expr, "{{name}}").height(10).span(8)


def top_agencies(words: Words) -> bargauge.Panel:
    expr = f"topk({TOP}, max by (agency, name) (pantau_agency_complaints_open))"
    return ranking(words.top_agencies, expr, "{{name}}").height(10).span(8)


def resolution_p90(words: Words, names: dict[str, str]) -> bargauge.Panel:
    return _resolution(words.resolution_p90, "pantau_complaint_resolution_p90_seconds", names)


def resolution_mean(words: Words, names: dict[str, str]) -> bargauge.Panel:
    return _resolution(words.resolution_mean, "pantau_complaint_resolution_mean_seconds", names)


def overdue_by_dimension(words: Words, names: dict[str, str]) -> bargauge.Panel:
    """Open complaints past a deadline (pantau/state/service_judge.py), per dimension."""
    expr = "max by (dimension) (pantau_complaints_overdue)"
    return (
        ranking(words.overdue_by_dimension, expr, "{{dimension}}")
        .thresholds(thresholds((None, "green"), (1, "red")))
        .height(10)
        .span(9)
        .overrides(rename(names))
    )


def agency_league(words: Words) -> table_panel.Panel:
    """Each agency's on-time rate over 30 days, worst first, beside what it has overdue
    now, what falls due within a day, what it missed today and the median time of each
    stage: one row per agency, joined on the agency."""
    columns = {
        "on_time": (words.on_time_30d, "pantau_agency_complaints_on_time_ratio_30d", "percentunit"),
        "overdue": (words.overdue_now, "pantau_agency_complaints_overdue", "short"),
        "due": (words.due_24h, "pantau_agency_complaints_due_24h", "short"),
        "missed": (words.breached_today, "pantau_agency_deadlines_breached_today", "short"),
    }
    for stage, title in words.median_stage.items():
        metric = f'pantau_agency_stage_median_seconds_30d{{stage="{stage}"}}'
        columns[stage] = (title, metric, "s")
    return league_table(words.agency_league, "name", columns).height(12).span(15)


def _resolution(title: str, metric: str, names: dict[str, str]) -> bargauge.Panel:
    expr = f'max by (dimension) ({metric}{{window="30d"}})'
    return (
        ranking(title, expr, "{{dimension}}", unit="s").height(8).span(12).overrides(rename(names))
    )
