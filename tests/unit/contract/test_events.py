import json
from typing import Any

import pytest

from pantau.contract.errors import ContractError
from pantau.contract.events import (
    ComplaintEvent,
    ComplaintStatus,
    IndicatorEvent,
    ProgramEvent,
    encode_event,
    event_from_mapping,
    parse_event,
)
from tests.factories import complaint_document, indicator_document, program_document


def _raw(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("document", "model", "entity"),
    [
        (complaint_document(), ComplaintEvent, "C-2026-000001"),
        (program_document(), ProgramEvent, "GOV-2023-01"),
        (indicator_document(), IndicatorEvent, "stunting-prevalence"),
    ],
)
def test_valid_events_parse_into_their_kind(
    document: dict[str, Any], model: type, entity: str
) -> None:
    event = parse_event(_raw(document))
    assert isinstance(event, model)
    assert event.entity_id == entity
    assert event.schema_version == 1


def test_a_complaint_keeps_its_status_and_location() -> None:
    event = parse_event(_raw(complaint_document(status="resolved")))
    assert isinstance(event, ComplaintEvent)
    assert event.status is ComplaintStatus.RESOLVED
    assert (event.kecamatan, event.kelurahan) == ("magersari", "wates")


@pytest.mark.parametrize(
    ("document", "field", "reason_fragment"),
    [
        (complaint_document(status="lost"), "complaint.status", "Input should be"),
        (complaint_document(dimension="smart-food"), "complaint.dimension", "Input should be"),
        (complaint_document(channel="pigeon"), "complaint.channel", "Input should be"),
        (
            complaint_document(occurred_at="2026-11-27T10:00:00"),
            "complaint.occurred_at",
            "timezone",
        ),
        (complaint_document(lat=95.0), "complaint.lat", "less than or equal to 90"),
        (complaint_document(lon=None), "complaint", "lat and lon must be given together"),
        (complaint_document(complaint_id=""), "complaint.complaint_id", "at least 1 character"),
        (complaint_document(reporter="Budi"), "complaint.reporter", "Extra inputs"),
        (program_document(realization_pct=101), "program.realization_pct", "less than or equal"),
        (program_document(year=1999), "program.year", "greater than or equal to 2000"),
        (indicator_document(period="Sept 2023"), "indicator.period", "match pattern"),
        (indicator_document(value="NaN"), "indicator.value", "finite number"),
        (indicator_document(direction="up"), "indicator.direction", "Input should be"),
        (indicator_document(schema_version=2), "indicator.schema_version", "Input should be 1"),
        ({"kind": "weather"}, "(document)", "does not match any of the expected tags"),
    ],
)
def test_invalid_events_name_the_field_and_reason(
    document: dict[str, Any], field: str, reason_fragment: str
) -> None:
    with pytest.raises(ContractError) as raised:
        parse_event(_raw(document))
    problems = {problem.field: problem.reason for problem in raised.value.problems}
    assert field in problems, problems
    assert reason_fragment in problems[field]
    assert field in str(raised.value)


def test_missing_fields_are_each_named() -> None:
    document = complaint_document()
    del document["agency"], document["kelurahan"]
    with pytest.raises(ContractError) as raised:
        event_from_mapping(document)
    assert set(raised.value.fields) == {"complaint.agency", "complaint.kelurahan"}


def test_undecodable_bytes_are_a_contract_error() -> None:
    with pytest.raises(ContractError) as raised:
        parse_event(b"\xff\xfe not json")
    assert raised.value.problems[0].reason.startswith("Invalid JSON")


def test_errors_never_echo_the_rejected_personal_text() -> None:
    secret = "Bu Siti, 0812-3456-7890"
    with pytest.raises(ContractError) as raised:
        parse_event(_raw(complaint_document(description=secret * 200)))
    assert "complaint.description" in raised.value.fields
    assert "0812" not in str(raised.value)


def test_encoding_is_compact_json_that_parses_back() -> None:
    event = parse_event(_raw(program_document()))
    wire = encode_event(event)
    assert b" " not in wire.replace(b"Mal Pelayanan Publik", b"")
    assert parse_event(wire) == event
