"""What a city webhook receives: an incident or a pipeline alert with its machine fields
as stored, and its text in both languages in the profile's words; in order, without
holding the notifier up."""

from __future__ import annotations

import asyncio
import time

from prometheus_client import CollectorRegistry

from consumers.alerts.lifecycle import from_stream
from consumers.alerts.webhooks import Delivery, DeliveryQueue, WebhookNotifier
from pantau.contract.alerts import AlertEvent
from pantau.contract.city import load_city_profile
from pantau.contract.keys import KeySpace
from pantau.state.incident_view import incident_views
from tests.factories import alert_document

PROFILE = load_city_profile("mojokerto")


def test_a_spike_goes_out_with_its_fields_and_both_texts() -> None:
    record = from_stream(None, AlertEvent.model_validate(alert_document(observed=14, expected=2.4)))
    assert record is not None
    notifier = WebhookNotifier([], CollectorRegistry(), KeySpace("pantau-t"), profile=PROFILE)
    body = notifier.alert_delivery(record).body
    assert body["kind"] == "alert" and body["change"] == "firing"
    alert = body["alert"]
    assert isinstance(alert, dict)
    assert alert["fingerprint"] == record.fingerprint and alert["evidence"]["observed"] == 14
    assert body["text"] == {
        "id": "Lonjakan aduan Smart Living (Kehidupan): 14 aduan dalam 10 menit, biasanya 2",
        "en": "Complaint surge in Smart Living: 14 complaints in 10 minutes, usually 2",
    }


class _SlowHook(WebhookNotifier):
    """A webhook that takes its time: what the queue must not wait for."""

    def __init__(self) -> None:
        super().__init__(["http://hook.invalid/"], CollectorRegistry(), KeySpace("pantau-t"))
        self.sent: list[str] = []
        self.kept: list[tuple[str, str]] = []

    async def notify(self, delivery: Delivery) -> None:
        await asyncio.sleep(0.05)
        self.sent.append(delivery.about)

    async def keep_undelivered(self, delivery: Delivery, reason: str) -> None:
        self.kept.append((delivery.about, reason))


def _alert(number: int) -> Delivery:
    return Delivery(f"complaint-spike:category:drainase-{number}", {"n": number})


async def test_deliveries_keep_their_order_without_holding_the_lifecycle_up() -> None:
    hook = _SlowHook()
    queue = DeliveryQueue(hook)
    queue.start()
    began = time.monotonic()
    for number in range(5):
        queue.put(_alert(number))
    assert time.monotonic() - began < 0.05, "putting a change waits for no webhook"
    await queue.close(drain_seconds=5)
    assert hook.sent == [f"complaint-spike:category:drainase-{n}" for n in range(5)]
    assert hook.kept == []


async def test_what_is_still_queued_at_a_stop_is_kept_not_dropped() -> None:
    hook = _SlowHook()
    queue = DeliveryQueue(hook)
    queue.start()
    for number in range(20):
        queue.put(_alert(number))
    await queue.close(drain_seconds=0.12)
    assert hook.sent and hook.kept
    handed = hook.sent + [fingerprint for fingerprint, _ in hook.kept]
    # The one being sent when the sender stopped may be in neither; none is in both.
    assert len(set(handed)) == len(handed) >= 19
    assert {reason for _, reason in hook.kept} == {"notifier stopped"}


def test_an_incident_goes_out_with_its_parts_and_its_headline_in_both_languages() -> None:
    notifier = WebhookNotifier([], CollectorRegistry(), KeySpace("pantau-t"), profile=PROFILE)
    events = [
        AlertEvent.model_validate(alert_document(group="category", value="drainase",
                                                 fingerprint="complaint-spike:category:drainase")),
        AlertEvent.model_validate(alert_document(observed=14, expected=2.4)),
    ]  # fmt: skip
    (incident,) = incident_views(events, {}, PROFILE)
    first = PROFILE.escalation.tiers[0]
    delivery = notifier.incident_delivery(
        incident, "firing", tier=first, tier_number=1, also_to=("http://desk.invalid/",)
    )
    assert delivery.also_to == ("http://desk.invalid/",)
    body = delivery.body
    assert body["tier"] == {"number": 1, "role": "desk-operator"}
    assert body["kind"] == "incident" and body["change"] == "firing"
    assert body["text"] == {
        "id": "Lonjakan aduan Smart Living (Kehidupan): 14 aduan dalam 10 menit, biasanya 2",
        "en": "Complaint surge in Smart Living: 14 complaints in 10 minutes, usually 2",
    }
    sent = body["incident"]
    assert isinstance(sent, dict)
    assert [p["fingerprint"] for p in sent["parts"]] == [
        "complaint-spike:category:drainase",
        "complaint-spike:dimension:living",
    ]
    assert sent["short_id"] == incident.short_id and sent["dimension"] == "living"
