"""The committed JSON Schemas match the models, and mean what the models mean."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pantau.contract.schemas import (
    PUBLISHED_MODELS,
    export_schemas,
    render_schema,
    schema_filename,
)
from tests.factories import (
    alert_document,
    complaint_document,
    incident_step_document,
    indicator_document,
    program_document,
)

COMMITTED = Path(__file__).parents[3] / "docs" / "schemas"
EXAMPLES = {
    "complaint": complaint_document,
    "program": program_document,
    "indicator": indicator_document,
    "alert": alert_document,
    "incident-step": incident_step_document,
}
# A field each kind constrains, and a value it refuses.
WRONG = {kind: ("dimension", "smart-food") for kind in EXAMPLES} | {
    "incident-step": ("step", "forgotten")
}


@pytest.mark.parametrize("kind", list(PUBLISHED_MODELS))
def test_committed_schema_matches_the_model(kind: str) -> None:
    committed = COMMITTED / schema_filename(kind)
    assert committed.read_text(encoding="utf-8") == render_schema(kind), (
        f"{committed} has drifted from the model; run: pantau schema export docs/schemas"
    )


def test_export_writes_one_file_per_kind(tmp_path: Path) -> None:
    written = export_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(schema_filename(k) for k in PUBLISHED_MODELS)


@pytest.mark.parametrize("kind", list(PUBLISHED_MODELS))
def test_schema_accepts_a_valid_event_and_rejects_a_wrong_field(kind: str) -> None:
    schema = json.loads(render_schema(kind))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    document: dict[str, Any] = EXAMPLES[kind]()
    validator.validate(document)
    field, refused = WRONG[kind]
    document[field] = refused
    with pytest.raises(jsonschema.ValidationError) as raised:
        validator.validate(document)
    assert list(raised.value.absolute_path) == [field]
