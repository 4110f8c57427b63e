"""JSON Schema of each event kind, for systems no one here wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pantau.contract.events import EVENT_MODELS, SCHEMA_VERSION, EventKind


def schema_of(kind: EventKind) -> dict[str, Any]:
    schema = EVENT_MODELS[kind].model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:pantau:event:{kind.value}:v{SCHEMA_VERSION}",
        **schema,
    }


def schema_filename(kind: EventKind) -> str:
    return f"{kind.value}.v{SCHEMA_VERSION}.schema.json"


def render_schema(kind: EventKind) -> str:
    # Sorted keys and a final newline: the committed files diff cleanly.
    return json.dumps(schema_of(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in EventKind:
        path = directory / schema_filename(kind)
        path.write_text(render_schema(kind), encoding="utf-8")
        written.append(path)
    return written
