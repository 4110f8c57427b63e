"""How each rendering of the city's figures is read back in the end-to-end test
(tests/integration/test_figures.py): the wall's text, map and sparklines, the worker's
/metrics and `pantau state`'s table, each turned into what can be compared with the
figures."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Page
from prometheus_client.parser import text_string_to_metric_families

from pantau.state.named import Figures
from tests.integration.figures_by_hand import DimensionByHand
from tests.integration.worker_helpers import PROFILE


async def wall_text(page: Page, expected: dict[str, DimensionByHand]) -> dict[str, str]:
    """Every figure the wall shows, as its text, once the page shows the expected open
    counts (it follows the worker's commits)."""
    opens = {key: str(d.open) for key, d in expected.items()}
    await page.wait_for_function(
        """(opens) => Object.entries(opens).every(([key, n]) => document.querySelector(
             `[data-dimension="${key}"] [data-figure="open"]`)?.textContent === n)""",
        arg=opens, timeout=30_000,
    )  # fmt: skip
    return dict(
        await page.evaluate(
            """() => [...document.querySelectorAll("[data-dimension] [data-figure]")].map(
                 (n) => [`${n.closest("[data-dimension]").dataset.dimension}.${n.dataset.figure}`
                         + (n.dataset.figure === "headline_value" ? `.${n.className}` : ""),
                         n.textContent])"""
        )
    )


async def wall_map_and_trends(page: Page) -> dict[str, Any]:
    """The map's tiles (kelurahan -> open, as drawn) and each card's bars (dimension ->
    [(hour's start, arrivals, expected)]), read at once: one snapshot, one instant."""
    return dict(
        await page.evaluate(
            """() => ({
              tiles: Object.fromEntries([...document.querySelectorAll("#map-tiles .tile")]
                .map((t) => [t.dataset.kelurahan, +t.dataset.open])),
              until: document.querySelector("svg[data-trend]").dataset.until,
              bars: Object.fromEntries([...document.querySelectorAll("[data-dimension]")].map(
                (card) => [card.dataset.dimension,
                  [...card.querySelectorAll("svg[data-trend] .bar")].map(
                    (b) => [b.dataset.start, +b.dataset.arrivals, +b.dataset.expected])])),
            })"""
        )
    )


async def wall_expected(page: Page, expected: dict[str, DimensionByHand]) -> dict[str, str]:
    """The text the wall must show, formatted by the page's own number format."""

    async def number(x: float, unit: str = "%") -> str:
        return str(await page.evaluate("([x, u]) => figureNumber(x, u)", [x, unit]))

    async def figure(x: float, unit: str) -> str:
        return str(await page.evaluate("([x, u]) => figureText(x, u)", [x, unit]))

    indicators = {i.key: i.name_en for i in PROFILE.indicators}
    names = {d.key.value: indicators[d.headline_indicator] for d in PROFILE.dimensions}

    shown: dict[str, str] = {}
    for key, d in expected.items():
        shown[f"{key}.open"] = str(d.open)
        shown[f"{key}.overdue"] = f"{d.overdue} overdue"
        shown[f"{key}.received_today"] = str(d.received_today)
        shown[f"{key}.resolved_today"] = str(d.resolved_today)
        pct = d.realization_pct
        shown[f"{key}.realization_pct"] = "\u2013" if pct is None else f"{await number(pct)}%"
        h = d.headline
        if h is None:
            shown[f"{key}.headline"] = ""
            continue
        colour = "" if h.on_target is None else "good" if h.on_target else "bad"
        parts = [f"{names[key]} ({h.period})"]
        shown[f"{key}.headline_value.{colour}"] = await figure(h.value, h.unit)
        parts.append(shown[f"{key}.headline_value.{colour}"])
        if h.change is not None:
            arrow = "▲" if h.change > 0 else "▼" if h.change < 0 else "="
            shown[f"{key}.headline_change"] = f"{arrow} {await number(abs(h.change), h.unit)}"
            parts.append(shown[f"{key}.headline_change"])
        if h.target is not None:
            shown[f"{key}.headline_target"] = f"target {await figure(h.target, h.unit)}"
            parts.append(shown[f"{key}.headline_target"])
        shown[f"{key}.headline"] = " ".join(parts)
    return shown


def metrics(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def metrics_as_named(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> Figures:
    """The worker's city gauges under the audit's names, where a name has a gauge."""
    gauges = {"pantau_complaints_open": "complaints.open",
              "pantau_complaints_received_today": "complaints.received_today",
              "pantau_complaints_resolved_today": "complaints.resolved_today",
              "pantau_complaints_rejected_today": "complaints.rejected_today",
              "pantau_complaints_received_total": "complaints.received_total",
              "pantau_program_realization_mean_percent": "programs.mean_realization_pct",
              "pantau_indicator_headline_value": "headline.value",
              "pantau_indicator_headline_change": "headline.change",
              "pantau_indicator_headline_target": "headline.target",
              "pantau_complaints_overdue": "complaints.service.overdue",
              "pantau_complaints_due_24h": "complaints.service.due_24h",
              "pantau_deadlines_breached_today": "complaints.service.breached_today",
              "pantau_complaints_deadline_uncovered": "complaints.service.uncovered"}  # fmt: skip
    named: Figures = {}
    for (name, labels), value in samples.items():
        label = dict(labels)
        if name in gauges:
            named[f"{label['dimension']}.{gauges[name]}"] = value
        elif name == "pantau_program_realization_ratio":
            named[f"{label['dimension']}.programs.realization_pct"] = round(100 * value, 2)
        elif name == "pantau_indicator_headline_on_target":
            named[f"{label['dimension']}.headline.on_target"] = bool(value)
        elif name == "pantau_programs":
            named[f"{label['dimension']}.programs.by_status.{label['status']}"] = value
        elif name == "pantau_complaint_resolution_mean_seconds":
            named[f"{label['dimension']}.complaints.ttr_mean_{label['window']}_s"] = value
        elif name == "pantau_complaint_resolution_p90_seconds":
            named[f"{label['dimension']}.complaints.ttr_p90_{label['window']}_s"] = value
        elif name == "pantau_complaints_on_time_ratio":
            named[f"{label['dimension']}.complaints.service.on_time_pct_30d"] = round(
                100 * value, 1
            )
        for group in ("category", "kelurahan", "agency"):
            for figure in ("open", "received_today", "resolved_today"):
                if name == f"pantau_{group}_complaints_{figure}":
                    named[f"{group}.{label[group]}.complaints.{figure}"] = value
            for figure, named_as in (("complaints_overdue", "overdue"),
                                     ("complaints_due_24h", "due_24h"),
                                     ("deadlines_breached_today", "breached_today")):  # fmt: skip
                if name == f"pantau_{group}_{figure}":
                    named[f"{group}.{label[group]}.complaints.service.{named_as}"] = value
    return named


def state_rows(output: str) -> dict[str, list[str]]:
    """`pantau state`'s table: dimension label -> its cells."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) == 7:
            rows[cells[0]] = cells[1:]
    return rows
