"""Events published with kafka-python come back through aiokafka as they were sent."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from pantau.contract.events import ComplaintEvent, encode_event, event_from_mapping, parse_event
from pantau.contract.settings import Settings
from pantau.contract.topics import (
    ALL_TOPICS,
    COMPLAINTS,
    HEADER_KIND,
    HEADER_SCHEMA_VERSION,
    HEALTHCHECK,
)
from tests.factories import complaint_document
from tests.integration.kafka_helpers import consume_until

STATUSES = ["received", "verified", "dispatched", "in_progress", "resolved"]


def _complaint_lifecycles(complaints: int) -> list[ComplaintEvent]:
    events = []
    for step, status in enumerate(STATUSES):
        for number in range(complaints):
            document = complaint_document(
                event_id=f"rt-{number}-{step}", complaint_id=f"RT-{number}", status=status
            )
            event = event_from_mapping(document)
            assert isinstance(event, ComplaintEvent)
            events.append(event)
    return events


def test_topics_exist_with_partitions_and_unlimited_retention(live_stack: Settings) -> None:
    admin = KafkaAdminClient(bootstrap_servers=live_stack.kafka_bootstrap)
    try:
        described = {t["name"]: t for t in admin.describe_topics([t.name for t in ALL_TOPICS])}
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, COMPLAINTS.name)]
        )["topic"][COMPLAINTS.name]
    finally:
        admin.close()
    for spec in ALL_TOPICS:
        assert len(described[spec.name]["partitions"]) == spec.partitions, spec.name
    assert configs["retention.ms"]["value"] == "-1"
    assert configs["retention.bytes"]["value"] == "-1"
    assert configs["cleanup.policy"]["value"] == "delete"
    assert HEALTHCHECK.name in described


async def test_events_keep_key_headers_body_and_per_entity_order(live_stack: Settings) -> None:
    events = _complaint_lifecycles(complaints=40)
    producer = KafkaProducer(
        bootstrap_servers=live_stack.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    try:
        for event in events:
            producer.send(
                COMPLAINTS.name,
                key=event.entity_id.encode(),
                value=encode_event(event),
                headers=[(HEADER_KIND, b"complaint"), (HEADER_SCHEMA_VERSION, b"1")],
            )
        producer.flush(timeout=30)
    finally:
        producer.close()

    records = await consume_until(
        live_stack,
        COMPLAINTS.name,
        lambda seen: {r.value for r in seen} >= {encode_event(e) for e in events},
    )
    records = [r for r in records if r.key.startswith(b"RT-")]

    assert len(records) == len(events)
    partitions_of: dict[bytes, set[int]] = defaultdict(set)
    statuses_of: dict[bytes, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        received = parse_event(record.value)
        assert isinstance(received, ComplaintEvent)
        assert record.key == received.complaint_id.encode()
        assert dict(record.headers) == {HEADER_KIND: b"complaint", HEADER_SCHEMA_VERSION: b"1"}
        partitions_of[record.key].add(record.partition)
        statuses_of[record.key].append(received.status.value)
    assert all(len(partitions) == 1 for partitions in partitions_of.values())
    assert all(statuses == STATUSES for statuses in statuses_of.values())
    assert len({p for ps in partitions_of.values() for p in ps}) > 1, "keys should spread"
    sent = {e.event_id: e for e in events}
    assert {parse_event(r.value).event_id for r in records} == set(sent)


async def test_aiokafka_reads_a_single_record_by_partition_and_offset(
    live_stack: Settings,
) -> None:
    producer = KafkaProducer(bootstrap_servers=live_stack.kafka_bootstrap, acks="all")
    try:
        sent = producer.send(HEALTHCHECK.name, key=b"probe", value=b"\x00binary\xff").get(15)
    finally:
        producer.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=live_stack.kafka_bootstrap)
    await consumer.start()
    try:
        partition = TopicPartition(HEALTHCHECK.name, sent.partition)
        consumer.assign([partition])
        consumer.seek(partition, sent.offset)
        record = await asyncio.wait_for(consumer.getone(), timeout=15)
    finally:
        await consumer.stop()
    assert (record.key, record.value, record.offset) == (b"probe", b"\x00binary\xff", sent.offset)
