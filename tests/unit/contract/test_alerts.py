import json

import pytest
from pydantic import ValidationError

from pantau.contract.alerts import AlertEvent, AlertStatus, parse_alert
from pantau.contract.errors import ContractError
from tests.factories import alert_document


def test_an_alert_parses_with_its_evidence() -> None:
    alert = parse_alert(json.dumps(alert_document()))
    assert alert.status is AlertStatus.FIRING
    assert alert.entity_id == "complaint-spike:dimension:living"
    assert (alert.window_minutes, alert.observed, alert.expected) == (10, 15, 3.31)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "acknowledged"}, "status"),
        ({"group": "agency"}, "group"),
        ({"score": 1.5}, "score"),
        ({"fingerprint": "Has Spaces"}, "fingerprint"),
    ],
)
def test_a_bad_alert_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ContractError) as raised:
        parse_alert(json.dumps(alert_document(**changes)))
    assert raised.value.fields == [field]


def test_a_deadline_breach_names_its_stage_and_a_spike_carries_its_evidence() -> None:
    breach = {"fingerprint": "deadline-breach:dlh:resolution", "group": "deadline",
              "value": "dlh", "dimension": None, "window_minutes": None, "expected": None,
              "score": None}  # fmt: skip
    named = AlertEvent.model_validate(alert_document(**breach, stage="resolution"))
    assert named.stage == "resolution"
    with pytest.raises(ValidationError, match="stage"):
        AlertEvent.model_validate(alert_document(**breach))
    with pytest.raises(ValidationError, match="a spike's evidence"):
        AlertEvent.model_validate(alert_document(expected=None))
