"""A topic partition has one type: it names itself as the audit does and equals the Kafka
clients' own pairs, so either finds the same entry."""

from __future__ import annotations

from aiokafka import TopicPartition

from pantau.contract.topics import COMPLAINTS, Partition, partitions_of


def test_a_partition_reads_back_from_its_label() -> None:
    shard = Partition("pantau.complaints", 3)
    assert shard.label == "pantau.complaints[3]"
    assert Partition.from_label(shard.label) == shard


def test_a_partition_finds_what_a_kafka_client_stored() -> None:
    offsets = {Partition("pantau.complaints", 3): 41}
    assert offsets[TopicPartition("pantau.complaints", 3)] == 41
    assert offsets.get(("pantau.complaints", 3)) == 41  # type: ignore[call-overload]


def test_every_partition_of_a_topic() -> None:
    assert partitions_of(COMPLAINTS) == [Partition("pantau.complaints", n) for n in range(6)]
