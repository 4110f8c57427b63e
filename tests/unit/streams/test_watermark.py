"""The detector judges a minute only once every partition has delivered it: a partition
behind in event time holds the detector back, an idle one does not."""

from __future__ import annotations

from datetime import timedelta

from pantau.contract.alerts import AlertEvent, AlertStatus
from streams.detector import SpikeDetector
from streams.watermark import PartitionProgress, complete_through
from tests.unit.streams.detector_fakes import KEYS, T0, FakeQuery, FakeRedis


def test_the_newest_minute_anywhere_when_nothing_waits() -> None:
    idle = PartitionProgress(newest_minute=100, waiting=False)
    assert (
        complete_through([idle, PartitionProgress(250, False), PartitionProgress(None, False)])
        == 250
    )
    assert complete_through([PartitionProgress(None, False)]) is None


def test_a_partition_with_events_waiting_holds_back_at_its_newest_minute() -> None:
    ahead, behind = PartitionProgress(250, False), PartitionProgress(180, True)
    assert complete_through([ahead, behind, PartitionProgress(200, True)]) == 180
    # One with events waiting and none applied: no minute can be vouched for.
    assert complete_through([ahead, PartitionProgress(None, True)]) is None


class Waiting:
    def __init__(self) -> None:
        self.partitions: set[int] | None = set()

    def waiting_partitions(self) -> set[int] | None:
        return self.partitions


def _history(query: FakeQuery) -> None:
    """Eight calm days, one complaint every 10 minutes, spread over two partitions."""
    for n in range(8 * 144):
        query.add([T0 - timedelta(days=8) + timedelta(minutes=10 * n)], partition=n % 2)


def _burst(query: FakeQuery, partition: int) -> None:
    query.add([T0 + timedelta(minutes=1 + n % 5, seconds=n) for n in range(15)], partition)


def _calm_until(query: FakeQuery, minutes: int, partition: int) -> None:
    query.add([T0 + timedelta(minutes=10 * n) for n in range(1, minutes // 10 + 1)], partition)


def _firing(alerts: list[AlertEvent]) -> dict[tuple[str, str], int]:
    return {(a.group, a.value): a.observed for a in alerts if a.status is AlertStatus.FIRING}


def test_a_surge_split_over_partitions_is_judged_whole() -> None:
    query, progress = FakeQuery(), Waiting()
    _history(query)
    detector = SpikeDetector(query, FakeRedis(), KEYS, progress=progress)  # type: ignore[arg-type]
    assert detector.evaluate() == []
    start = detector.minute
    # Partition 0 has applied its half of the burst and an hour after it; partition 1
    # still has its half waiting in Kafka.
    _burst(query, partition=0)
    _calm_until(query, 60, partition=0)
    progress.partitions = {1}
    assert detector.evaluate() == []
    assert detector.minute == start, "nothing past partition 1's newest minute is judged"
    # Kafka unreachable: whether anything waits is unknown, so nothing is judged.
    progress.partitions = None
    assert detector.evaluate() == []

    _burst(query, partition=1)
    _calm_until(query, 60, partition=1)
    progress.partitions = set()
    fired = _firing(detector.evaluate())
    assert set(fired) == {("dimension", "living"), ("category", "drainase"),
                          ("kecamatan", "kranggan")}  # fmt: skip
    assert detector.minute == int((T0 + timedelta(minutes=60)).timestamp()) // 60 - 2


def test_judged_early_the_same_surge_counts_half() -> None:
    # What the hold prevents: a detector that trusts whatever Redis holds.
    query = FakeQuery()
    _history(query)
    trusting = SpikeDetector(query, FakeRedis(), KEYS)  # type: ignore[arg-type]
    trusting.evaluate()
    _burst(query, partition=0)
    _calm_until(query, 60, partition=0)
    early = _firing(trusting.evaluate())

    whole, progress = FakeQuery(), Waiting()
    _history(whole)
    waiting = SpikeDetector(whole, FakeRedis(), KEYS, progress=progress)  # type: ignore[arg-type]
    waiting.evaluate()
    _burst(whole, partition=0)
    _calm_until(whole, 60, partition=0)
    progress.partitions = {1}
    waiting.evaluate()
    _burst(whole, partition=1)
    progress.partitions = set()
    judged = _firing(waiting.evaluate())
    assert all(early.get(g, 0) < n for g, n in judged.items())


def test_a_first_run_waits_for_the_workers_to_catch_up_and_takes_what_they_applied_as_past() -> (
    None
):
    query, progress = FakeQuery(), Waiting()
    _history(query)
    _burst(query, partition=0)
    progress.partitions = {1}
    detector = SpikeDetector(query, FakeRedis(), KEYS, progress=progress)  # type: ignore[arg-type]
    assert (detector.evaluate(), detector.minute) == ([], None)
    _burst(query, partition=1)
    _calm_until(query, 60, partition=1)
    progress.partitions = set()
    assert detector.evaluate() == [], "a burst in the backlog is the past, not news"
    assert detector.minute is not None
