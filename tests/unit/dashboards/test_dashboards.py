"""The dashboards as code: the committed JSON is what the code renders, every panel reads
the provisioned datasource, the wall has its rows, and Grafana provisions the files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from dashboards.catalog import JSON_DIR, panel_queries, render
from dashboards.cli import app
from pantau.contract.city import load_city_profile

ROOT = Path(__file__).parents[3]
PROFILE = load_city_profile("mojokerto")
RENDERED = render(PROFILE)
BOARDS: dict[str, dict[str, Any]] = {name: json.loads(text) for name, text in RENDERED.items()}


def test_committed_json_is_what_the_code_renders() -> None:
    for name, text in RENDERED.items():
        committed = JSON_DIR / name
        assert committed.exists(), f"{committed} missing: run `pantau dashboards build`"
        assert committed.read_text() == text, f"{committed} drifted: run `pantau dashboards build`"


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_every_panel_reads_the_provisioned_datasource_and_has_its_own_id(name: str) -> None:
    provisioned = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"][0]["uid"]
    panels = BOARDS[name]["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == provisioned, panel["title"]
        assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, panel["title"]


def test_the_wall_has_a_tile_row_per_dimension_in_each_language() -> None:
    for name, label in (
        ("command-center.json", "label_id"),
        ("command-center-en.json", "label_en"),
    ):
        rows = [p["title"] for p in BOARDS[name]["panels"] if p["type"] == "row"]
        for dimension in PROFILE.dimensions:
            assert getattr(dimension, label) in rows
    tiles = [p for p in BOARDS["command-center.json"]["panels"] if p["type"] == "stat"]
    stunting = [p for p in tiles if p["title"] == "Prevalensi stunting"]
    assert stunting, [t["title"] for t in tiles]
    # Lower is better for stunting: green below the target, red from it on.
    steps = stunting[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
    target = next(i.target for i in PROFILE.indicators if i.key == "stunting-prevalence")
    assert steps == [{"color": "green", "value": None}, {"color": "red", "value": target}]


def test_the_queries_cover_the_wall_and_the_pipeline() -> None:
    wall = " ".join(expr for _, expr in panel_queries(BOARDS["command-center.json"]))
    for metric in ("pantau_complaints_open", "pantau_complaints_received_today",
                   "pantau_program_realization_ratio", "pantau_indicator_headline_value",
                   "pantau_complaints_received_total", "pantau_alerts_active",
                   "pantau_category_complaints_open", "pantau_kelurahan_complaints_open",
                   "pantau_complaint_resolution_p90_seconds"):  # fmt: skip
        assert metric in wall
    pipeline = " ".join(expr for _, expr in panel_queries(BOARDS["pipeline.json"]))
    for metric in ("pantau_events_total", "pantau_consumer_lag", "pantau_batch_seconds_bucket",
                   "pantau_deadletters_total", 'up{job="pantau-worker"}'):  # fmt: skip
        assert metric in pipeline


def test_grafana_provisions_the_generated_folder_for_anonymous_viewers() -> None:
    provider = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/dashboards/pantau.yml").read_text()
    )["providers"][0]
    grafana = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["grafana"]
    assert f"./dashboards/json:{provider['options']['path']}:ro" in grafana["volumes"]
    environment = grafana["environment"]
    assert environment["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
    assert environment["GF_USERS_VIEWERS_CAN_EDIT"] == "false"
    home = Path(environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]).name
    assert (JSON_DIR / home).exists()


def test_build_check_reports_stale_files_and_build_rewrites_them(tmp_path: Path) -> None:
    runner = CliRunner()
    stale = runner.invoke(app, ["build", "--out", str(tmp_path), "--check"])
    assert stale.exit_code == 1 and "command-center.json" in stale.output
    assert runner.invoke(app, ["build", "--out", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["build", "--out", str(tmp_path), "--check"]).exit_code == 0
