"""The publisher's bookkeeping, with a stand-in producer (the real broker is exercised in
tests/integration). A failure must surface at flush, naming the event."""

from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError
from kafka.future import Future

from pantau.contract.city import load_city_profile
from pantau.contract.errors import ContractError
from pantau.contract.events import event_from_mapping
from pantau.contract.settings import Settings
from pantau.publisher import EventPublisher, PublishError
from tests.factories import complaint_document, program_document


class StandInProducer:
    def __init__(self, fail_ids: set[str]) -> None:
        self.fail_ids = fail_ids
        self.sent: list[dict[str, Any]] = []
        self.flushed = self.closed = False

    def send(self, topic: str, *, key: bytes, value: bytes, headers: list[Any]) -> Future:
        self.sent.append({"topic": topic, "key": key, "headers": headers})
        future = Future()
        if any(f'"{event_id}"'.encode() in value for event_id in self.fail_ids):
            return future.failure(KafkaTimeoutError("batch expired"))
        return future.success(object())

    def flush(self, timeout: float | None = None) -> None:
        self.flushed = True

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def test_events_go_to_their_topic_keyed_by_entity_with_headers() -> None:
    producer = StandInProducer(fail_ids=set())
    publisher = EventPublisher(Settings(), producer=producer)
    publisher.publish(event_from_mapping(complaint_document()))
    publisher.publish(event_from_mapping(program_document()))
    assert publisher.flush() == 2
    assert [(s["topic"], s["key"]) for s in producer.sent] == [
        ("pantau.complaints", b"C-2026-000001"),
        ("pantau.programs", b"GOV-2023-01"),
    ]
    assert producer.sent[0]["headers"] == [
        ("pantau-kind", b"complaint"),
        ("pantau-schema-version", b"1"),
    ]


def test_a_failed_delivery_is_raised_at_flush_naming_the_event() -> None:
    producer = StandInProducer(fail_ids={"evt-program-1"})
    publisher = EventPublisher(Settings(), producer=producer)
    publisher.publish(event_from_mapping(complaint_document()))
    publisher.publish(event_from_mapping(program_document()))
    with pytest.raises(PublishError) as raised:
        publisher.flush()
    assert [(f.event_id, f.topic) for f in raised.value.failures] == [
        ("evt-program-1", "pantau.programs")
    ]
    assert "KafkaTimeoutError" in str(raised.value)
    assert publisher.flush() == 1, "a failure is reported once, then cleared"


def test_closing_flushes_first() -> None:
    producer = StandInProducer(fail_ids=set())
    with EventPublisher(Settings(), producer=producer) as publisher:
        publisher.publish(event_from_mapping(program_document()))
    assert producer.flushed and producer.closed


def test_an_event_the_city_does_not_know_is_never_sent() -> None:
    producer = StandInProducer(fail_ids=set())
    publisher = EventPublisher(Settings(), load_city_profile("mojokerto"), producer=producer)
    with pytest.raises(ContractError, match="category: not a category of this city"):
        publisher.publish(event_from_mapping(complaint_document(category="ufo")))
    assert producer.sent == []


class SilentProducer(StandInProducer):
    """A broker that never answers: futures stay open and flush gives up."""

    def send(self, topic: str, *, key: bytes, value: bytes, headers: list[Any]) -> Future:
        self.sent.append({"topic": topic, "key": key, "headers": headers})
        return Future()

    def flush(self, timeout: float | None = None) -> None:
        raise KafkaTimeoutError("Timeout waiting for future")


def test_a_flush_that_times_out_names_every_event_still_waiting() -> None:
    publisher = EventPublisher(Settings(), producer=SilentProducer(fail_ids=set()))
    publisher.publish(event_from_mapping(complaint_document()))
    publisher.publish(event_from_mapping(program_document()))
    with pytest.raises(PublishError) as raised:
        publisher.flush(timeout=3)
    assert {(f.event_id, f.error) for f in raised.value.failures} == {
        ("evt-complaint-1", "not acknowledged within 3 s"),
        ("evt-program-1", "not acknowledged within 3 s"),
    }


def test_a_checked_event_goes_as_given_without_a_second_check() -> None:
    producer = StandInProducer(fail_ids=set())
    publisher = EventPublisher(Settings(), load_city_profile("mojokerto"), producer=producer)
    odd = event_from_mapping(complaint_document(category="ufo"))  # the caller vouches for it
    publisher.publish_checked(odd, b"the wire form")
    assert publisher.flush() == 1
    assert [(s["topic"], s["key"]) for s in producer.sent] == [
        ("pantau.complaints", b"C-2026-000001")
    ]


class LaterProducer(StandInProducer):
    """A broker whose answers come when the test says."""

    def __init__(self) -> None:
        super().__init__(fail_ids=set())
        self.futures: list[Future] = []

    def send(self, topic: str, *, key: bytes, value: bytes, headers: list[Any]) -> Future:
        self.sent.append({"topic": topic, "key": key, "headers": headers})
        self.futures.append(Future())
        return self.futures[-1]


def test_outcomes_are_read_without_a_callback_per_event() -> None:
    producer = LaterProducer()
    publisher = EventPublisher(Settings(), producer=producer)
    for n in range(5):
        publisher.publish(event_from_mapping(program_document(event_id=f"p{n}")))
    assert publisher.acknowledged == 0
    for future in producer.futures:
        assert not future._callbacks and not future._errbacks
    producer.futures[1].success(object())  # answers may come out of order
    assert publisher.acknowledged == 1
    producer.futures[0].success(object())
    producer.futures[2].failure(KafkaTimeoutError("batch expired"))
    producer.futures[3].success(object())
    with pytest.raises(PublishError) as raised:
        publisher.flush()
    assert [f.event_id for f in raised.value.failures] == ["p2"]
    assert publisher.acknowledged == 3
    producer.futures[4].success(object())
    assert publisher.flush() == 4


def test_an_event_named_at_a_timeout_is_counted_when_its_answer_comes_later() -> None:
    producer = LaterProducer()
    producer.flush = lambda timeout=None: (_ for _ in ()).throw(KafkaTimeoutError())  # type: ignore[method-assign]
    publisher = EventPublisher(Settings(), producer=producer)
    publisher.publish(event_from_mapping(program_document(event_id="late")))
    publisher.publish(event_from_mapping(program_document(event_id="lost")))
    with pytest.raises(PublishError) as raised:
        publisher.flush(timeout=1)
    assert {f.event_id for f in raised.value.failures} == {"late", "lost"}
    producer.futures[0].success(object())
    producer.futures[1].failure(KafkaTimeoutError("batch expired"))
    assert publisher.acknowledged == 1
    with pytest.raises(PublishError) as again:
        publisher.flush(timeout=1)
    assert [(f.event_id, f.error) for f in again.value.failures] == [
        ("lost", "KafkaTimeoutError: KafkaTimeoutError: batch expired")
    ]
