"""Shared defaults of every Pantau panel: the datasource, query shapes, sizes and colours.

Every panel reads the Prometheus datasource provisioned with uid `pantau-prometheus`.
City gauges are exposed by every worker alike (each reads Redis at scrape time), so
panels take `max` over instances rather than `sum`, which would count a figure once per
worker.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, common, dashboard, prometheus, stat
from grafana_foundation_sdk.builders import table as table_panel
from grafana_foundation_sdk.builders import timeseries as timeseries_panel
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as models
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

DATASOURCE = models.DataSourceRef(type_val="prometheus", uid="pantau-prometheus")
WALL_REFRESH = "10s"


def query(expr: str, legend: str = "", *, instant: bool = False) -> prometheus.Dataquery:
    built = prometheus.Dataquery().expr(expr).datasource(DATASOURCE).ref_id("A")
    if legend:
        built = built.legend_format(legend)
    return built.instant() if instant else built.range()


def table_query(expr: str) -> prometheus.Dataquery:
    return query(expr, instant=True).format(PromQueryFormat.TABLE)


def thresholds(*steps: tuple[float | None, str]) -> dashboard.ThresholdsConfig:
    return (
        dashboard.ThresholdsConfig()
        .mode(models.ThresholdsMode.ABSOLUTE)
        .steps([models.Threshold(value=value, color=color) for value, color in steps])
    )


NEUTRAL = thresholds((None, "blue"))


def tile(title: str, expr: str, unit: str = "short") -> stat.Panel:
    """A big number for the wall: one value, its colour from thresholds, a small sparkline."""
    return (
        stat.Panel()
        .title(title)
        .datasource(DATASOURCE)
        .with_target(query(expr))
        .unit(unit)
        .height(4)
        .span(4)
        .thresholds(NEUTRAL)
        .color_mode(common_models.BigValueColorMode.BACKGROUND)
        .graph_mode(common_models.BigValueGraphMode.AREA)
        .text_mode(common_models.BigValueTextMode.VALUE)
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
    )


def timeseries(title: str, expr: str, legend: str, unit: str = "short") -> timeseries_panel.Panel:
    return (
        timeseries_panel.Panel()
        .title(title)
        .datasource(DATASOURCE)
        .with_target(query(expr, legend))
        .unit(unit)
        .line_width(2)
        .fill_opacity(10)
        .legend(
            common.VizLegendOptions()
            .show_legend(True)
            .display_mode(common_models.LegendDisplayMode.LIST)
            .placement(common_models.LegendPlacement.BOTTOM)
        )
    )


def ranking(title: str, expr: str, legend: str, unit: str = "short") -> bargauge.Panel:
    """Horizontal bars, largest first: "where" and "who" at a glance."""
    return (
        bargauge.Panel()
        .title(title)
        .datasource(DATASOURCE)
        .with_target(query(expr, legend, instant=True))
        .unit(unit)
        .thresholds(NEUTRAL)
        .orientation(common_models.VizOrientation.HORIZONTAL)
        .display_mode(common_models.BarGaugeDisplayMode.GRADIENT)
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
    )


def table(title: str, expr: str) -> table_panel.Panel:
    return table_panel.Panel().title(title).datasource(DATASOURCE).with_target(table_query(expr))


def league_table(
    title: str, key: str, columns: dict[str, tuple[str, str, str]]
) -> table_panel.Panel:
    """One row per `key` (a label), a column per metric: `columns` maps a query's id to
    (its column's title, the metric, its unit). The first column sorts the table, lowest
    first."""
    panel = table_panel.Panel().title(title).datasource(DATASOURCE)
    renamed: dict[str, str] = {}
    units: list[Builder[models.DashboardFieldConfigSourceOverrides]] = []
    for ref, (column, metric, unit) in columns.items():
        target = table_query(f"max by ({key}) ({metric})").ref_id(ref)
        panel = panel.with_target(target)
        renamed[f"Value #{ref}"] = column
        units.append(
            dashboard.DashboardFieldConfigSourceOverrides()
            .matcher(models.MatcherConfig(id_val="byName", options=column))
            .properties([models.DynamicConfigValue(id_val="unit", value=unit)])
        )
    first = next(iter(columns.values()))[0]
    return (
        panel.with_transformation(models.DataTransformerConfig(id_val="merge", options={}))
        .with_transformation(
            models.DataTransformerConfig(
                id_val="organize",
                options={"excludeByName": {"Time": True}, "renameByName": renamed},
            )
        )
        .with_transformation(
            models.DataTransformerConfig(
                id_val="sortBy", options={"sort": [{"field": first, "desc": False}]}
            )
        )
        .overrides(units)
    )


def rename(names: dict[str, str]) -> list[Builder[models.DashboardFieldConfigSourceOverrides]]:
    """Overrides that show series named by a key (a dimension's, say) under its label."""
    return [
        dashboard.DashboardFieldConfigSourceOverrides()
        .matcher(models.MatcherConfig(id_val="byName", options=key))
        .properties([models.DynamicConfigValue(id_val="displayName", value=label)])
        for key, label in names.items()
    ]
