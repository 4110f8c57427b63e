import json

import pytest

from pantau.contract.alerts import AlertStatus, parse_alert
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
