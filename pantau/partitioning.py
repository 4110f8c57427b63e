"""Which partition a key goes to: the Java client's default partitioner (murmur2 of the
key), which kafka-python and aiokafka follow too. A producer that chooses partitions
itself must agree with them, or one entity's events would be split across partitions
and lose their order."""

from __future__ import annotations

import struct

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF
_WORDS = struct.Struct("<I")


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as an unsigned
    32-bit value: the same as kafka-python's, read four bytes at a time."""
    length = len(data)
    h = (_SEED ^ length) & _MASK
    tail = length & ~3
    for (k,) in _WORDS.iter_unpack(data[:tail]):
        k = (k * _M) & _MASK
        k ^= k >> 24
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    extra = length & 3
    if extra >= 3:
        h ^= data[tail + 2] << 16
    if extra >= 2:
        h ^= data[tail + 1] << 8
    if extra >= 1:
        h ^= data[tail]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h


def partition_for(key: bytes, partitions: int) -> int:
    """The default partitioner's choice among `partitions` (numbered 0 to n - 1)."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


class Partitioner:
    """partition_for with a memory: a bulk load names the same entities again and again."""

    LIMIT = 1_000_000  # keys remembered before starting afresh

    def __init__(self) -> None:
        self._known: dict[tuple[bytes, int], int] = {}

    def __call__(self, key: bytes, partitions: int) -> int:
        found = self._known.get((key, partitions))
        if found is None:
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            found = self._known[(key, partitions)] = partition_for(key, partitions)
        return found
