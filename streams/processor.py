"""One batch from Kafka to Redis: decode, dead-letter what is bad, commit the rest.

Kafka and Faust stay outside: the agent hands in plain messages, so the same processor
runs under the live worker and in tests against the real Redis.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pantau.contract.city import CityProfile
from pantau.contract.events import EventKind
from pantau.state.decode import Rejection, decode
from pantau.state.store import CommitReport, PartitionBatch, StateStore
from streams.metrics import PipelineMetrics
from streams.patience import until_redis_answers


@dataclass(frozen=True)
class Incoming:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


class DeadLetterSink(Protocol):
    async def send(self, message: Incoming, rejection: Rejection) -> None:
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
        self.topic_of_kind = {kind.value: topic for topic, kind in kinds.items()}

    async def process(
        self,
        messages: Sequence[Incoming],
        acknowledged: Mapping[tuple[str, int], int | None] | None = None,
    ) -> CommitReport:
        """Apply `messages`; `acknowledged` is what Redis last acknowledged for their
        partitions, so that a Redis holding less is noticed (see StateStore)."""
        started = time.perf_counter()
        batches: dict[tuple[str, int], PartitionBatch] = {}
        rejected: list[tuple[Incoming, Rejection]] = []
        for message in messages:
            batch = batches.setdefault(
                (message.topic, message.partition),
                PartitionBatch(
                    message.topic,
                    message.partition,
                    last_offset=-1,
                    acknowledged=(acknowledged or {}).get((message.topic, message.partition)),
                ),
            )
            batch.last_offset = max(batch.last_offset, message.offset)
            outcome = decode(message.value, self.kinds[message.topic], self.profile)
            if isinstance(outcome, Rejection):
                rejected.append((message, outcome))
            else:
                batch.events.append((message.offset, outcome))
        # Dead letters are safe in Kafka before the offsets move past them in Redis.
        await asyncio.gather(*(self.deadletters.send(m, r) for m, r in rejected))
        pending = list(batches.values())
        report = await until_redis_answers(
            lambda: self.store.commit(pending), self.metrics.redis_retries, "committing a batch"
        )
        self._observe(messages, rejected, report, time.perf_counter() - started)
        return report

    def _observe(
        self,
        messages: Sequence[Incoming],
        rejected: list[tuple[Incoming, Rejection]],
        report: CommitReport,
        seconds: float,
    ) -> None:
        metrics = self.metrics
        now = datetime.now(UTC)
        for topic in {m.topic for m in messages}:
            metrics.batch_size.labels(topic).observe(sum(m.topic == topic for m in messages))
            metrics.batch_seconds.labels(topic).observe(seconds)
        for message, rejection in rejected:
            metrics.deadletters.labels(message.topic, rejection.reason.value).inc()
            metrics.events.labels(message.topic, "deadletter").inc()
        for event in report.applied_events:
            metrics.event_to_state.labels(self.topic_of_kind[event.kind]).observe(
                max(0.0, (now - event.produced_at).total_seconds())
            )
        if messages:
            topic = messages[0].topic
            metrics.events.labels(topic, "applied").inc(report.applied - report.unchanged)
            metrics.events.labels(topic, "unchanged").inc(report.unchanged)
            metrics.events.labels(topic, "skipped").inc(report.skipped)
        metrics.last_commit.set(time.time())
