"""The batches Continuity hands on: always continuing from what Redis holds.

Redis is played by a small table of stored offsets, and the log by a list of offsets; the
real Redis and Kafka are in tests/integration/test_faults.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from prometheus_client import CollectorRegistry

from pantau.contract.topics import Partition
from pantau.state.store import CommitReport
from streams.continuity import Continuity
from streams.metrics import PipelineMetrics
from streams.positions import PartitionPositions
from streams.processor import Incoming, Received

P = Partition("pantau.complaints", 0)
Q = Partition("pantau.complaints", 1)


def message(partition: Partition, offset: int) -> Incoming:
    return Incoming(partition[0], partition[1], offset, None, b"{}")


class RedisLike:
    """Stores the last offset of each batch unless it holds less than acknowledged."""

    def __init__(self) -> None:
        self.held: dict[Partition, int | None] = {}
        self.applied: list[tuple[Partition, int]] = []

    async def process(
        self,
        messages: Mapping[Partition, Sequence[Received]],
        acknowledged: Mapping[Partition, int | None],
    ) -> CommitReport:
        report = CommitReport()
        for partition, ack in acknowledged.items():
            held = self.held.get(partition)
            if ack is not None and (held is None or held < ack):
                report.behind[partition] = held
        for m in (m for batch in messages.values() for m in batch):
            partition = Partition(m.topic, m.partition)
            if partition not in report.behind:
                self.applied.append((partition, m.offset))
                self.held[partition] = m.offset
        return report

    async def stored_offset(self, topic: str, partition: int) -> int | None:
        return self.held.get(Partition(topic, partition))


def continuity(redis: RedisLike, positions: PartitionPositions) -> Continuity:
    async def read_back(
        partition: Partition, acknowledged: int | None, last: int
    ) -> list[Incoming]:
        start = 0 if acknowledged is None else acknowledged + 1
        return [message(partition, o) for o in range(start, last + 1)]

    metrics = PipelineMetrics(CollectorRegistry())
    return Continuity(redis, redis, positions, metrics, read_back)


def offsets_of(redis: RedisLike, partition: Partition) -> list[int]:
    return [o for p, o in redis.applied if p == partition]


def owning(*partitions: Partition) -> PartitionPositions:
    positions = PartitionPositions()
    for partition in partitions:
        positions.assign(partition, None)
    return positions


async def test_batches_that_continue_are_applied_as_delivered() -> None:
    redis, positions = RedisLike(), owning(P, Q)
    guard = continuity(redis, positions)
    await guard.apply("pantau.complaints", [message(P, 0), message(Q, 0), message(P, 1)])
    await guard.apply("pantau.complaints", [message(P, 2)])
    assert offsets_of(redis, P) == [0, 1, 2] and offsets_of(redis, Q) == [0]
    assert positions.acknowledged == {P: 2, Q: 0}


async def test_redis_that_lost_writes_gets_them_back_before_the_next_batch() -> None:
    redis, positions = RedisLike(), owning(P)
    guard = continuity(redis, positions)
    await guard.apply("pantau.complaints", [message(P, o) for o in range(6)])
    redis.held[P] = 2  # restarted without its last writes
    await guard.apply("pantau.complaints", [message(P, 6), message(P, 7)])
    assert offsets_of(redis, P) == [0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7]
    assert positions.acknowledged[P] == 7


async def test_the_audit_finds_a_loss_where_nothing_new_arrives() -> None:
    redis, positions = RedisLike(), owning(P, Q)
    guard = continuity(redis, positions)
    await guard.apply("pantau.complaints", [message(P, o) for o in range(4)] + [message(Q, 0)])
    redis.held[P] = None  # everything of P gone
    await guard.audit()
    assert offsets_of(redis, P) == [0, 1, 2, 3, 0, 1, 2, 3]
    assert offsets_of(redis, Q) == [0]
    assert redis.held == {P: 3, Q: 0}
    await guard.audit()  # nothing lost any more: nothing read back
    assert len(redis.applied) == 9


async def test_a_batch_after_a_hole_is_completed_from_the_log() -> None:
    """Messages ahead of what Redis acknowledged (a failed batch before, or older messages
    left in Faust's buffers by a seek) are completed, never applied over the hole."""
    redis, positions = RedisLike(), owning(P)
    guard = continuity(redis, positions)
    await guard.apply("pantau.complaints", [message(P, 0)])
    await guard.apply("pantau.complaints", [message(P, 4), message(P, 5)])
    assert offsets_of(redis, P) == [0, 1, 2, 3, 4, 5]
    await guard.apply("pantau.complaints", [message(P, 3), message(P, 6)])  # 3: a repeat
    assert offsets_of(redis, P) == [0, 1, 2, 3, 4, 5, 6]


async def test_messages_of_partitions_given_away_are_left_to_their_new_owner() -> None:
    redis, positions = RedisLike(), owning(P)
    guard = continuity(redis, positions)
    assert await guard.apply("pantau.complaints", [message(Q, 0)]) is None
    assert redis.applied == []
