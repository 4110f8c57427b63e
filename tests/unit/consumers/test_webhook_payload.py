"""What a city webhook receives: the alert's machine fields as stored, and its text in
both languages in the profile's words."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from consumers.alerts.lifecycle import from_stream
from consumers.alerts.webhooks import WebhookNotifier
from pantau.contract.alerts import AlertEvent
from pantau.contract.city import load_city_profile
from pantau.contract.keys import KeySpace
from tests.factories import alert_document

PROFILE = load_city_profile("mojokerto")


def test_a_spike_goes_out_with_its_fields_and_both_texts() -> None:
    record = from_stream(None, AlertEvent.model_validate(alert_document(observed=14, expected=2.4)))
    assert record is not None
    notifier = WebhookNotifier([], CollectorRegistry(), KeySpace("pantau-t"), profile=PROFILE)
    body = notifier.payload(record)
    assert body["change"] == "firing"
    alert = body["alert"]
    assert isinstance(alert, dict)
    assert alert["fingerprint"] == record.fingerprint and alert["evidence"]["observed"] == 14
    assert body["text"] == {
        "id": "Lonjakan aduan Smart Living (Kehidupan): 14 aduan dalam 10 menit, biasanya 2",
        "en": "Complaint surge in Smart Living: 14 complaints in 10 minutes, usually 2",
    }
