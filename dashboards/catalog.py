"""Every dashboard Pantau ships, rendered to the JSON Grafana provisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from dashboards.command_center import command_center
from dashboards.pipeline import pipeline
from dashboards.words import ENGLISH, INDONESIAN
from pantau.contract.city import CityProfile

JSON_DIR = Path(__file__).resolve().parent / "json"


def render(profile: CityProfile) -> dict[str, str]:
    """File name -> dashboard JSON text, stable so the committed files can be diffed."""
    boards = {
        "command-center.json": command_center(profile, INDONESIAN),
        "command-center-en.json": command_center(profile, ENGLISH),
        "pipeline.json": pipeline(profile.city.timezone),
    }
    rendered = {}
    for name, board in boards.items():
        built = board.build()
        # Grafana keys panel state (links, the viewed panel) by id; give each its own.
        for number, panel in enumerate(built.panels or [], start=1):
            panel.id_val = number
        rendered[name] = json.dumps(built, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"
    return rendered


def panel_queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, PromQL expression) for every query of every panel."""
    return [
        (panel.get("title", ""), target["expr"])
        for panel in board.get("panels", [])
        for target in panel.get("targets", [])
        if "expr" in target
    ]


def stale_files(rendered: dict[str, str], folder: Path) -> list[str]:
    """Names whose committed file differs from what the code renders (or is missing)."""
    return [
        name
        for name, text in rendered.items()
        if not (folder / name).exists() or (folder / name).read_text() != text
    ]
