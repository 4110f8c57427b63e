"""The audit's pure parts: figures side by side, the reports in their three forms, the
snapshot's offsets, and the live prefix refused as a replay's namespace."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consumers.audit.compare import figure_rows
from consumers.audit.namespace import LivePrefixError, write_namespace
from consumers.audit.report import AuditReport, write_reports
from consumers.audit.snapshot import Snapshot
from pantau.state.memory import MemoryState

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def test_figures_match_exactly_or_are_marked() -> None:
    rows = figure_rows({"city.complaints.open": 12, "living.programs.realization_pct": 85.71,
                        "indicator.ipm.period": "2023"},
                       {"city.complaints.open": 12, "living.programs.realization_pct": 85.72,
                        "indicator.ipm.period": "2023", "only.shown": 1})  # fmt: skip
    assert [(r.name, r.matches) for r in rows] == [
        ("city.complaints.open", True),
        ("living.programs.realization_pct", False),
        ("indicator.ipm.period", True),
        ("only.shown", False),
    ]
    assert all(r.matches and r.shown is None for r in figure_rows({"a": 1}, None))


def _report(verdict: str) -> AuditReport:
    rows = figure_rows({"city.complaints.open": 12, "living.complaints.open": 3},
                       {"city.complaints.open": 12, "living.complaints.open": 4})  # fmt: skip
    return AuditReport.model_validate({
        "generated_at": NOW, "city": "Kota Mojokerto", "since": None, "until": None,
        "as_of": "2026-11-27", "trends_until": NOW, "compared_with": "live state",
        "events": 5000, "rejected": 2, "seconds": 0.5, "rate": 10004.0, "verdict": verdict,
        "figures": rows, "differences": [],
    })  # fmt: skip


def test_reports_are_written_as_json_csv_and_html_in_both_languages(tmp_path: Path) -> None:
    written = write_reports(_report("differ"), tmp_path)
    assert sorted(p.name for p in written) == ["figures.csv", "report.en.html", "report.html",
                                               "report.json"]  # fmt: skip
    rows = list(csv.DictReader((tmp_path / "figures.csv").open()))
    assert rows[1] == {"figure": "living.complaints.open", "replayed": "3", "shown": "4",
                       "matches": "False"}  # fmt: skip
    indonesian = (tmp_path / "report.html").read_text()
    assert 'lang="id"' in indonesian and "BERBEDA" in indonesian and "beda" in indonesian
    english = (tmp_path / "report.en.html").read_text()
    assert "DIFFERENT" in english and "<script" not in english
    assert f"Arrivals per hour up to</dt><dd>{NOW:%Y-%m-%d %H:%M:%S} UTC" in english
    assert AuditReport.model_validate_json((tmp_path / "report.json").read_text()).events == 5000


def test_a_snapshot_names_its_offsets_per_partition() -> None:
    snapshot = Snapshot(taken_at=NOW, city="Kota Mojokerto", today=date(2026, 11, 27),
                        prefix="pantau", offsets={"pantau.complaints[3]": 41,
                                                  "pantau.programs[0]": 7},
                        figures={})  # fmt: skip
    assert snapshot.shard_offsets() == {("pantau.complaints", 3): 41, ("pantau.programs", 0): 7}


def test_a_replay_never_writes_under_the_live_prefix() -> None:
    state = MemoryState(ZoneInfo("Asia/Jakarta"), None)
    for prefix in ("pantau", "pantau:{pantau.complaints.0}"):
        with pytest.raises(LivePrefixError, match="live prefix"):
            write_namespace(None, prefix, "pantau", state, {})  # type: ignore[arg-type]
