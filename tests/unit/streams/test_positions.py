"""Which messages a partition admits from the live stream."""

from __future__ import annotations

from collections.abc import Sequence

from pantau.contract.topics import Partition
from streams.positions import PartitionPositions
from streams.processor import Incoming, Received

P = Partition("pantau.programs", 0)


def messages(*offsets: int, partition: tuple[str, int] = P) -> list[Incoming]:
    return [Incoming(partition[0], partition[1], o, None, b"{}") for o in offsets]


def offsets(admitted: Sequence[Received]) -> list[int]:
    return [m.offset for m in admitted]


def test_a_partition_resumes_just_after_what_redis_holds() -> None:
    positions = PartitionPositions()
    assert positions.assign(P, stored=41) == 42
    assert positions.assign(Partition("pantau.programs", 1), stored=None) == 0


def test_repeats_and_messages_of_partitions_not_owned_are_not_admitted() -> None:
    positions = PartitionPositions()
    positions.assign(P, stored=9)
    admitted = positions.admit(messages(8, 9, 10, 11, 10) + messages(3, partition=("x", 0)))
    assert offsets(admitted) == [10, 11]
    assert positions.expected[P] == 12


def test_messages_ahead_are_admitted_and_left_to_the_read_back() -> None:
    positions = PartitionPositions()
    positions.assign(P, stored=9)
    assert offsets(positions.admit(messages(15, 16))) == [15, 16]
    assert offsets(positions.admit(messages(10, 11, 17))) == [17]


def test_acknowledged_follows_redis_and_its_losses_while_owned() -> None:
    positions = PartitionPositions()
    positions.assign(P, stored=4)
    positions.stored({P: 6, Partition("pantau.programs", 1): 3})
    assert positions.acknowledged == {P: 6}
    positions.lost(P, None)
    assert positions.acknowledged == {P: None}
    positions.revoke([P])
    positions.lost(P, 2)
    assert positions.acknowledged == {} and not positions.owns(P)
