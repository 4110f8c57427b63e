"""How far in event time the complaint counts in Redis are complete.

The workers apply each partition in order, but partitions advance at their own pace:
after a restart, under load or on a busy machine one can be minutes of event time behind
another. A minute counted before every partition delivered it is undercounted, and the
detector judges each minute once, so a surge read half-counted is a surge missed.

A partition with events still waiting in Kafka vouches only for the minutes before the
newest one it has applied; a partition with nothing waiting holds nothing back, however
old its newest event (a quiet partition at night). Kafka's end offsets are read before
Redis, so an event that arrives in between is never taken for applied.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import redis
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from pantau.contract.connections import kafka_options
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, Partition, partitions_of
from pantau.state.lag import waiting

log = logging.getLogger("pantau.detector")
# A broker that has not answered in this long is down for this round; the next retries.
KAFKA_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class PartitionProgress:
    newest_minute: int | None  # the newest arrival minute applied; None: nothing yet
    waiting: bool  # Kafka holds events of this partition not applied yet


def complete_through(progress: Iterable[PartitionProgress]) -> int | None:
    """The newest minute every partition has reached, or None while a partition with
    events waiting has applied none (nothing can be vouched for yet)."""
    every = list(progress)
    behind = [p.newest_minute for p in every if p.waiting]
    if behind:
        return None if None in behind else min(m for m in behind if m is not None)
    return max((p.newest_minute for p in every if p.newest_minute is not None), default=None)


class ApplyProgress(Protocol):
    def waiting_partitions(self) -> set[int] | None:
        """The complaint partitions with events not applied yet; None when that cannot be
        known now (Kafka unreachable)."""
        ...


class AppliedOffsets:
    """The complaints topic's offsets in Kafka against those the workers committed."""

    def __init__(self, settings: Settings, client: redis.Redis, keys: KeySpace) -> None:
        self.settings = settings
        self.redis = client
        self.keys = keys
        self.partitions: Sequence[Partition] = partitions_of(COMPLAINTS)
        self._consumer: KafkaConsumer | None = None
        self._failing = False  # said once in the log, not every round

    def waiting_partitions(self) -> set[int] | None:
        tps = [TopicPartition(p.topic, p.number) for p in self.partitions]
        try:
            consumer = self._consumer or self._connect()
            ends = consumer.end_offsets(tps)
            starts = consumer.beginning_offsets(tps)
        except KafkaError as error:
            if not self._failing:
                log.warning("Kafka's offsets not readable, judging no minute (%r)", error)
            self._failing = True
            self.close()
            return None
        if self._failing:
            log.info("Kafka's offsets readable again")
        self._failing = False
        stored = self.redis.mget([self.keys.offset(*p) for p in self.partitions])
        applied = {
            p: None if raw is None else int(raw)
            for p, raw in zip(self.partitions, stored, strict=True)
        }
        late = waiting(
            {Partition(*tp): end for tp, end in ends.items()},
            applied,
            {Partition(*tp): start for tp, start in starts.items()},
        )
        return {p.number for p in late}

    def _connect(self) -> KafkaConsumer:
        self._consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            **kafka_options(self.settings),
            group_id=None,
            enable_auto_commit=False,
            client_id="pantau-detector",
            request_timeout_ms=KAFKA_TIMEOUT_MS,
        )
        return self._consumer

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
