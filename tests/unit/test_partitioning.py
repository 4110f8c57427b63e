"""Partitions chosen by the bulk publisher must be the ones kafka-python (and every Kafka
client's default partitioner) chooses, or an entity's events would be split."""

import random

from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from pantau.partitioning import Partitioner, murmur2, partition_for


def test_murmur2_is_kafka_python_s_for_every_length() -> None:
    chance = random.Random(7)
    keys = [bytes(chance.getrandbits(8) for _ in range(n)) for n in range(64) for _ in range(20)]
    keys += [f"C-2026-{i:06d}".encode() for i in range(2000)]
    assert [murmur2(k) for k in keys] == [kafka_python_murmur2(k) for k in keys]


def test_murmur2_matches_the_java_client() -> None:
    # org.apache.kafka.common.utils.UtilsTest: murmur2("21") == -973932308
    assert murmur2(b"21") == -973932308 & 0xFFFFFFFF


def test_partition_is_the_default_partitioner_s_and_remembered() -> None:
    choose = Partitioner()
    for i in range(500):
        key = f"C-2026-{i:06d}".encode()
        expected = (kafka_python_murmur2(key) & 0x7FFFFFFF) % 6
        assert partition_for(key, 6) == expected
        assert choose(key, 6) == expected == choose(key, 6)
    assert choose(b"C-2026-000001", 3) == partition_for(b"C-2026-000001", 3)
