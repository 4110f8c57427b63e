"""One batch from Kafka to Redis: decode, dead-letter what is bad, commit the rest.

Kafka and Faust stay outside: the agent hands in plain messages grouped by partition, so
the same processor runs under the live worker and in tests against the real Redis.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pantau.contract.city import CityProfile
from pantau.contract.events import EventKind
from pantau.contract.topics import Partition
from pantau.contract.wire import EitherEvent
from pantau.state.decode import Rejection, decode
from pantau.state.store import CommitReport, PartitionBatch, StateStore
from streams.metrics import PipelineMetrics
from streams.patience import until_redis_answers

# Events of each batch whose time to state is observed (see PipelineMetrics).
LATENCY_SAMPLES = 64


class Received(Protocol):
    """A message read from the log: aiokafka's records and Incoming alike."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True)
class Incoming:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


class DeadLetterSink(Protocol):
    async def send(self, message: Received, rejection: Rejection) -> None:
        """Return once the dead-letter topic acknowledged the message."""


class BatchProcessor:
    def __init__(
        self,
        store: StateStore,
        profile: CityProfile,
        deadletters: DeadLetterSink,
        metrics: PipelineMetrics,
        kinds: dict[str, EventKind],
    ) -> None:
        self.store = store
        self.profile = profile
        self.deadletters = deadletters
        self.metrics = metrics
        self.kinds = kinds

    async def process(
        self,
        messages: Mapping[Partition, Sequence[Received]],
        acknowledged: Mapping[Partition, int | None] | None = None,
    ) -> CommitReport:
        """Apply each partition's `messages` (in offset order); `acknowledged` is what
        Redis last acknowledged for their partitions, so that a Redis holding less is
        noticed (see StateStore)."""
        started = time.perf_counter()
        profile = self.profile
        pending: list[PartitionBatch] = []
        rejected: list[tuple[Received, Rejection]] = []
        for shard, received in messages.items():
            if not received:
                continue
            topic, partition = shard
            kind = self.kinds[topic]
            events: list[tuple[int, EitherEvent]] = []
            for message in received:
                outcome = decode(message.value, kind, profile)
                if isinstance(outcome, Rejection):
                    rejected.append((message, outcome))
                else:
                    events.append((message.offset, outcome))
            known = None if acknowledged is None else acknowledged.get(shard)
            pending.append(PartitionBatch(topic, partition, received[-1].offset, events, known))
        # Dead letters are safe in Kafka before the offsets move past them in Redis.
        await asyncio.gather(*(self.deadletters.send(m, r) for m, r in rejected))
        report = await until_redis_answers(
            lambda: self.store.commit(pending), self.metrics.redis_retries, "committing a batch"
        )
        self._observe(messages, rejected, report, time.perf_counter() - started)
        return report

    def _observe(
        self,
        messages: Mapping[Partition, Sequence[Received]],
        rejected: list[tuple[Received, Rejection]],
        report: CommitReport,
        seconds: float,
    ) -> None:
        metrics = self.metrics
        sizes: dict[str, int] = {}
        for (topic, _), received in messages.items():
            sizes[topic] = sizes.get(topic, 0) + len(received)
        for topic, size in sizes.items():
            metrics.batch_size.labels(topic).observe(size)
            metrics.batch_seconds.labels(topic).observe(seconds)
        for message, rejection in rejected:
            metrics.deadletters.labels(message.topic, rejection.reason.value).inc()
            metrics.events.labels(message.topic, "deadletter").inc()
        if report.applied_events:
            now = time.time()
            # One topic per batch from the live stream; read-backs may mix partitions of
            # one topic only (Continuity works per topic).
            latency = metrics.event_to_state.labels(next(iter(sizes)))
            applied = report.applied_events
            # A sample spread over the batch: its quantiles are the batch's, at a fixed
            # cost per batch rather than one histogram update per event.
            for event in applied[:: max(1, len(applied) // LATENCY_SAMPLES)]:
                latency.observe(max(0.0, now - event.produced_at.timestamp()))
        if sizes:
            topic = next(iter(sizes))
            metrics.events.labels(topic, "applied").inc(report.applied - report.unchanged)
            metrics.events.labels(topic, "unchanged").inc(report.unchanged)
            metrics.events.labels(topic, "skipped").inc(report.skipped)
        metrics.last_commit.set(time.time())
