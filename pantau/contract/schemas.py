"""JSON Schema of each event kind, for systems no one here wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pantau.contract.alerts import AlertEvent
from pantau.contract.events import EVENT_MODELS, SCHEMA_VERSION
from pantau.contract.lifecycle import IncidentStep

# Every kind that travels on Pantau's topics: the state events, the alerts and the
# incidents' steps.
PUBLISHED_MODELS: dict[str, type[BaseModel]] = {
    **{kind.value: model for kind, model in EVENT_MODELS.items()},
    "alert": AlertEvent,
    "incident-step": IncidentStep,
}


def schema_of(kind: str) -> dict[str, Any]:
    schema = PUBLISHED_MODELS[kind].model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:pantau:event:{kind}:v{SCHEMA_VERSION}",
        **schema,
    }


def schema_filename(kind: str) -> str:
    return f"{kind}.v{SCHEMA_VERSION}.schema.json"


def render_schema(kind: str) -> str:
    # Sorted keys and a final newline: the committed files diff cleanly.
    return json.dumps(schema_of(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in PUBLISHED_MODELS:
        path = directory / schema_filename(kind)
        path.write_text(render_schema(kind), encoding="utf-8")
        written.append(path)
    return written
