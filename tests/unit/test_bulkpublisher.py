"""The bulk publisher's batching and bookkeeping, with a stand-in for aiokafka and the
broker: each partition's events in order and in one batch as far as it holds them, the
partition the default partitioner gives, and every event accounted for at flush."""

import asyncio
from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError

from pantau.bulkpublisher import BulkPublisher
from pantau.contract.city import load_city_profile
from pantau.contract.errors import ContractError
from pantau.contract.events import AnyEvent, encode_event, event_from_mapping
from pantau.contract.settings import Settings
from pantau.contract.topics import TOPIC_OF_KIND
from pantau.partitioning import partition_for
from pantau.publisher import PublishError
from tests.factories import complaint_document, program_document


class StandInBatch:
    def __init__(self, holds: int) -> None:
        self.holds = holds
        self.records: list[tuple[bytes, bytes, list[Any]]] = []

    def append(self, *, timestamp: int | None, key: bytes, value: bytes, headers: Any) -> Any:
        if len(self.records) >= self.holds:
            return None
        self.records.append((key, value, headers))
        return object()


class StandInProducer:
    def __init__(self, holds: int = 3, fail_topics: frozenset[str] = frozenset(),
                 silent: bool = False) -> None:  # fmt: skip
        self.holds, self.fail_topics, self.silent = holds, fail_topics, silent
        self.sent: list[tuple[str, int, list[tuple[bytes, bytes, list[Any]]]]] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def partitions_for(self, topic: str) -> set[int]:
        return set(range({"pantau.complaints": 6}.get(topic, 3)))

    def create_batch(self) -> StandInBatch:
        return StandInBatch(self.holds)

    async def send_batch(self, batch: StandInBatch, topic: str, *, partition: int) -> Any:
        self.sent.append((topic, partition, batch.records))
        answer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if topic in self.fail_topics:
            answer.set_exception(KafkaTimeoutError("batch expired"))
        elif not self.silent:
            answer.set_result(None)
        return answer


def complaints(count: int, complaint_ids: int) -> list[AnyEvent]:
    return [
        event_from_mapping(
            complaint_document(event_id=f"e{n}", complaint_id=f"C-{n % complaint_ids}")
        )
        for n in range(count)
    ]


def test_each_partition_gets_its_events_in_order_in_full_batches() -> None:
    producer = StandInProducer(holds=3)
    events = complaints(40, complaint_ids=7)
    with BulkPublisher(Settings(), producer=producer) as publisher:
        for event in events:
            publisher.publish_checked(event, encode_event(event))
        assert publisher.flush() == 40
    assert producer.started and producer.stopped
    by_partition: dict[int, list[bytes]] = {}
    for topic, partition, records in producer.sent:
        assert topic == "pantau.complaints" and 1 <= len(records) <= 3
        by_partition.setdefault(partition, []).extend(value for _, value, _ in records)
        for key, _, headers in records:
            assert partition == partition_for(key, 6)
            assert headers == [("pantau-kind", b"complaint"), ("pantau-schema-version", b"1")]
    for partition, values in by_partition.items():
        expected = [
            encode_event(e) for e in events if partition_for(e.entity_id.encode(), 6) == partition
        ]
        assert values == expected


def test_a_failed_batch_names_each_of_its_events() -> None:
    producer = StandInProducer(fail_topics=frozenset({TOPIC_OF_KIND["program"].name}))
    publisher = BulkPublisher(Settings(), producer=producer)
    try:
        publisher.publish(event_from_mapping(complaint_document()))
        for n in range(2):
            publisher.publish(event_from_mapping(program_document(event_id=f"p{n}")))
        with pytest.raises(PublishError) as raised:
            publisher.flush()
        assert sorted(f.event_id for f in raised.value.failures) == ["p0", "p1"]
        assert {f.topic for f in raised.value.failures} == {"pantau.programs"}
        assert publisher.flush() == 1, "a failure is reported once"
    finally:
        publisher.close()


def test_a_flush_that_times_out_names_every_event_still_waiting() -> None:
    publisher = BulkPublisher(Settings(), producer=StandInProducer(silent=True))
    try:
        for event in complaints(5, complaint_ids=5):
            publisher.publish(event)
        with pytest.raises(PublishError) as raised:
            publisher.flush(timeout=0.2)
        assert sorted(f.event_id for f in raised.value.failures) == [f"e{n}" for n in range(5)]
        assert {f.error for f in raised.value.failures} == {"not acknowledged within 0.2 s"}
    finally:
        publisher.close(timeout=0.2)  # each was named once: closing names none again


def test_an_event_the_city_does_not_know_is_never_sent() -> None:
    producer = StandInProducer()
    publisher = BulkPublisher(Settings(), load_city_profile("mojokerto"), producer=producer)
    with publisher, pytest.raises(ContractError, match="category: not a category of this city"):
        publisher.publish(event_from_mapping(complaint_document(category="ufo")))
    assert producer.sent == []
