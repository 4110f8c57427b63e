"""When the wall says its figures are behind: the verdict (a pure function of the last lag
reading and the time) and the lag reader, on a Kafka and a Redis of the test's own."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from dashboards.wall.freshness import LagReading, judge
from dashboards.wall.lag import LagReader
from dashboards.wall.metrics import WallMetrics
from pantau.contract.topics import COMPLAINTS, INDICATORS, PROGRAMS, Partition, partitions_of
from tests.factories import NOW

STALE_AFTER = timedelta(seconds=30)
HEARTBEAT = timedelta(seconds=5)
SECOND = timedelta(seconds=1)
C0, C1 = Partition(COMPLAINTS.name, 0), Partition(COMPLAINTS.name, 1)
P2 = Partition(PROGRAMS.name, 2)
EVERY = partitions_of(COMPLAINTS, PROGRAMS, INDICATORS)


def _verdict(reading: LagReading | None, now: datetime) -> tuple[str, int | None]:
    freshness = judge(reading, None, now, STALE_AFTER, HEARTBEAT)
    return freshness.worker, freshness.events_behind


def test_a_caught_up_worker_is_current_however_long_ago_it_last_committed() -> None:
    reading = LagReading(read_at=NOW, behind={})
    # A quiet night: no commit for an hour, nothing waiting: the figures are complete.
    freshness = judge(reading, NOW - timedelta(hours=1), NOW + SECOND, STALE_AFTER, HEARTBEAT)
    assert (freshness.worker, freshness.events_behind, freshness.as_of) == ("current", 0, NOW)
    assert freshness.last_commit_at == NOW - timedelta(hours=1)
    assert freshness.silent_after_seconds == 15


def test_a_busy_worker_with_hundreds_in_hand_for_seconds_is_not_behind() -> None:
    reading = LagReading(NOW, {COMPLAINTS.name: 420}, oldest_waiting=NOW - 2 * SECOND)
    assert _verdict(reading, NOW) == ("current", 420)
    assert judge(reading, None, NOW, STALE_AFTER, HEARTBEAT).as_of == NOW - 2 * SECOND


def test_a_few_events_waiting_longer_than_the_threshold_make_it_behind() -> None:
    reading = LagReading(NOW, {COMPLAINTS.name: 3}, oldest_waiting=NOW - 20 * SECOND)
    assert _verdict(reading, NOW) == ("current", 3)
    # The event goes on ageing between readings: the time of the verdict counts.
    assert _verdict(reading, NOW + 11 * SECOND) == ("behind", 3)
    assert judge(reading, None, NOW + 11 * SECOND, STALE_AFTER, HEARTBEAT).as_of == (
        NOW - 20 * SECOND
    )


def test_kafka_unread_for_longer_than_the_threshold_makes_the_lag_unknown_not_zero() -> None:
    reading = LagReading(NOW, {})
    # One failed reading or two are no news.
    assert _verdict(reading, NOW + 10 * SECOND) == ("current", 0)
    freshness = judge(reading, None, NOW + 31 * SECOND, STALE_AFTER, HEARTBEAT)
    assert (freshness.worker, freshness.events_behind) == ("unknown", None)
    assert (freshness.as_of, freshness.lag_read_at) == (NOW, NOW)  # the last thing known
    never = judge(None, None, NOW, STALE_AFTER, HEARTBEAT)
    assert (never.worker, never.events_behind, never.as_of) == ("unknown", None, None)


class FakeKafka:
    def __init__(self) -> None:
        self.end: dict[Partition, int] = dict.fromkeys(EVERY, 0)
        self.start: dict[Partition, int] = {}
        self.arrival: dict[tuple[Partition, int], datetime] = {}
        self.asked: list[dict[Partition, int]] = []
        self.down = False
        self.resets = 0

    async def ends(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        if self.down:
            raise ConnectionError("no broker")
        return {p: self.end[p] for p in partitions}

    async def starts(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        return {p: self.start.get(p, 0) for p in partitions}

    async def arrivals(self, offsets: Mapping[Partition, int]) -> dict[Partition, datetime]:
        self.asked.append(dict(offsets))
        return {p: self.arrival[p, o] for p, o in offsets.items() if (p, o) in self.arrival}

    async def reset(self) -> None:
        self.resets += 1


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def kafka() -> FakeKafka:
    return FakeKafka()


@pytest.fixture
def stored() -> dict[Partition, int | None]:
    return dict.fromkeys(EVERY)


def _reader(
    kafka: FakeKafka, stored: dict[Partition, int | None], clock: Clock, metrics: WallMetrics
) -> LagReader:
    async def read_stored(partitions: Sequence[Partition]) -> dict[Partition, int | None]:
        return {p: stored[p] for p in partitions}

    return LagReader(kafka, read_stored, metrics, clock)


async def test_the_reader_counts_per_topic_and_asks_each_arrival_once(
    kafka: FakeKafka, stored: dict[Partition, int | None]
) -> None:
    clock, registry = Clock(), CollectorRegistry()
    reader = _reader(kafka, stored, clock, WallMetrics(registry))
    kafka.end.update({C0: 110, P2: 5})
    stored[C0] = 99
    kafka.arrival.update({(C0, 100): NOW - 40 * SECOND, (P2, 0): NOW - 90 * SECOND})
    assert await reader.read()
    assert reader.latest == LagReading(
        NOW, {COMPLAINTS.name: 10, PROGRAMS.name: 5}, oldest_waiting=NOW - 90 * SECOND
    )
    sample = registry.get_sample_value
    assert sample("pantau_wall_events_behind", {"topic": COMPLAINTS.name}) == 10
    assert sample("pantau_wall_events_behind", {"topic": INDICATORS.name}) == 0
    assert sample("pantau_wall_lag_read_timestamp_seconds") == NOW.timestamp()

    clock.now += 3 * SECOND
    kafka.end[C0] = 130  # more arrive behind the same first event: no new question
    assert await reader.read()
    assert kafka.asked == [{C0: 100, P2: 0}]
    assert reader.latest is not None and reader.latest.events_behind == 35

    stored[P2] = 4  # the programs are caught up; complaints moved on to offset 120
    stored[C0] = 119
    kafka.arrival[C0, 120] = NOW - 5 * SECOND
    assert await reader.read()
    assert kafka.asked[1:] == [{C0: 120}]
    assert reader.latest == LagReading(clock.now, {COMPLAINTS.name: 10}, NOW - 5 * SECOND)


async def test_without_a_records_time_the_first_reading_that_saw_it_waiting_stands_in(
    kafka: FakeKafka, stored: dict[Partition, int | None]
) -> None:
    clock = Clock()
    reader = _reader(kafka, stored, clock, WallMetrics(CollectorRegistry()))
    kafka.end[C1] = 3
    assert await reader.read()
    clock.now += 10 * SECOND
    assert await reader.read()
    assert reader.latest == LagReading(clock.now, {COMPLAINTS.name: 3}, oldest_waiting=NOW)


async def test_a_commit_is_seen_when_a_stored_offset_moves_between_readings(
    kafka: FakeKafka, stored: dict[Partition, int | None]
) -> None:
    clock = Clock()
    reader = _reader(kafka, stored, clock, WallMetrics(CollectorRegistry()))
    assert await reader.read()
    assert reader.last_commit_at is None  # not seen since the wall started
    clock.now += 3 * SECOND
    stored[C1], kafka.end[C1] = 0, 1
    assert await reader.read()
    assert reader.last_commit_at == clock.now
    clock.now += 3 * SECOND
    assert await reader.read()
    assert reader.last_commit_at == NOW + 3 * SECOND


async def test_a_failed_reading_keeps_the_last_one_and_starts_kafka_afresh(
    kafka: FakeKafka, stored: dict[Partition, int | None], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pantau.wall")
    clock = Clock()
    reader = _reader(kafka, stored, clock, WallMetrics(CollectorRegistry()))
    assert await reader.read()
    kafka.down = True
    clock.now += 40 * SECOND
    assert not await reader.read()
    assert not await reader.read()
    assert reader.latest == LagReading(NOW, {})
    assert kafka.resets == 2
    assert _verdict(reader.latest, clock.now) == ("unknown", None)
    kafka.down = False
    assert await reader.read()
    # Said once when it starts failing and once when it is back, not at every reading.
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "pantau.wall"]
    assert said == [
        ("WARNING", "consumer lag not readable (ConnectionError: no broker)"),
        ("INFO", "consumer lag readable again"),
    ]
