"""One registry of metric names: the rules and the dashboards query only what it
declares, and the code exports everything it declares, with the declared labels."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, Metric

from consumers.alerts.service import ActiveAlertsCollector
from consumers.alerts.webhooks import WebhookNotifier
from consumers.audit.checkpoint_metrics import CheckpointerMetrics
from dashboards.catalog import JSON_DIR, panel_queries
from dashboards.wall.metrics import WallMetrics
from pantau.contract.keys import KeySpace
from pantau.contract.metrics import PANTAU, known_series
from pantau.state.collector import CityStateCollector
from pantau.state.memory import MemoryState
from pantau.state.service_fields import ServiceClock
from streams.detector_metrics import DetectorMetrics
from streams.metrics import PipelineMetrics
from tests.promql_names import Selector, selectors
from tests.unit.state.test_folds import PROFILE, REFERENCE

ROOT = Path(__file__).resolve().parents[3]
RULE_FILES = sorted((ROOT / "deploy" / "prometheus" / "rules").glob("*.yml"))
RULE_TESTS = sorted((ROOT / "deploy" / "prometheus" / "tests").glob("*.yml"))
DASHBOARDS = sorted(JSON_DIR.glob("*.json"))
# Labels Prometheus attaches to every scraped series, and a histogram bucket's bound.
TARGET_LABELS = frozenset({"job", "instance", "le", "__name__"})


def _queries() -> list[tuple[str, str]]:
    """(where, expression) for every rule, rule test series and dashboard panel."""
    found = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                found.append((f"{path.name}: {rule.get('alert') or rule['record']}", rule["expr"]))
    for path in RULE_TESTS:
        for test in yaml.safe_load(path.read_text())["tests"]:
            for series in test.get("input_series", []):
                found.append((f"{path.name}: {test['name']}", series["series"]))
    for path in DASHBOARDS:
        for title, expr in panel_queries(json.loads(path.read_text())):
            found.append((f"{path.name}: {title}", expr))
    return found


def _unknown(where: str, selector: Selector) -> str | None:
    if selector.metric not in known_series():
        return f"{where} names {selector.metric}, which no code exports"
    declared = next((s for s in PANTAU if selector.metric in s.series_names), None)
    if declared is not None and not selector.labels <= set(declared.labels) | TARGET_LABELS:
        extra = sorted(selector.labels - set(declared.labels) - TARGET_LABELS)
        return f"{where} matches {selector.metric} on {extra}, labels it does not have"
    return None


def test_rules_and_dashboards_name_only_declared_metrics_and_labels() -> None:
    queries = _queries()
    named = {s.metric for _, expr in queries for s in selectors(expr)}
    # Every source was read: the pipeline's and the wall's metrics are both in there.
    assert {"pantau_consumer_lag", "pantau_complaints_open", "up"} <= named
    assert len(RULE_FILES) >= 1 and len(DASHBOARDS) >= 3
    problems = [p for where, expr in queries for s in selectors(expr) if (p := _unknown(where, s))]
    assert problems == []


def test_a_query_of_an_undeclared_metric_or_label_is_reported() -> None:
    [wrong_name] = selectors("sum by (topic) (rate(pantau_events_applied_total[5m]))")
    assert _unknown("rule X", wrong_name) == (
        "rule X names pantau_events_applied_total, which no code exports"
    )
    [wrong_label] = selectors('max(pantau_complaints_open{kelurahan="sentanan"})')
    assert _unknown("panel Y", wrong_label) == (
        "panel Y matches pantau_complaints_open on ['kelurahan'], labels it does not have"
    )


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('max(pantau_complaints_open{dimension="living"})',
         [Selector("pantau_complaints_open", frozenset({"dimension"}))]),
        ("histogram_quantile(0.99, sum by (le) (rate(pantau_batch_seconds_bucket[$__rate_interval])))",  # noqa: E501
         [Selector("pantau_batch_seconds_bucket", frozenset())]),
        ('a_total or on() label_replace(vector(0), "outcome", "none", "", "")',
         [Selector("a_total", frozenset())]),
        ("delta(x[15m] offset 1w) > 3 * (clamp_min(y, 0) + 1e3) and on () (time() - max(z)) > 1",
         [Selector("x", frozenset()), Selector("y", frozenset()), Selector("z", frozenset())]),
    ],
)  # fmt: skip
def test_selectors_are_found_in_every_shape_pantau_writes(
    expr: str, expected: list[Selector]
) -> None:
    assert selectors(expr) == expected


class _NoAlerts:
    def all(self) -> list[object]:
        return []


def _exported() -> dict[str, Metric]:
    """Every family the worker, the notifier, the detector, the checkpointer and the wall
    export, from a fresh registry (names cannot clash: one registry refuses a repeat)."""
    registry = CollectorRegistry()
    PipelineMetrics(registry)
    DetectorMetrics(registry, interval=10.0)
    CheckpointerMetrics(registry)
    WallMetrics(registry)
    state = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE))
    state.records, state.aggregates = REFERENCE.records, REFERENCE.aggregates
    at = datetime(2026, 11, 23, 12, tzinfo=PROFILE.timezone)
    registry.register(CityStateCollector(state, PROFILE, lambda: at))
    registry.register(ActiveAlertsCollector(_NoAlerts()))  # type: ignore[arg-type]
    WebhookNotifier([], registry, KeySpace("pantau"))
    return {family.name: family for family in registry.collect()}


def test_the_code_exports_every_declared_metric_with_its_type_and_labels() -> None:
    exported = _exported()
    assert sorted(exported) == sorted(spec.name for spec in PANTAU)
    for spec in PANTAU:
        family = exported[spec.name]
        assert (family.type, family.documentation) == (spec.kind, spec.help), spec.name
        for sample in family.samples:
            extra = {"le"} if spec.kind == "histogram" else set()
            assert set(sample.labels) == set(spec.labels) | extra, sample
    # The city's figures were read, not just declared: a sample per dimension.
    assert len(exported["pantau_complaints_open"].samples) == len(PROFILE.dimensions)
    assert len(exported["pantau_complaints_overdue"].samples) == len(PROFILE.dimensions)
