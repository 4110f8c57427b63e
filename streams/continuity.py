"""Every batch continues exactly from what Redis holds, even after Redis lost writes.

Redis killed before its append-only file reached the disk comes back without its last
writes (with `appendfsync everysec`, a second or more of them); Redis restored from a
backup comes back further behind. Its state is still consistent (each batch is one atomic
script), only older, and the worker has already read past it. The log has everything:
the missing offsets are read back from it (a reader of its own, no consumer group) and
applied before the batch, while the live stream goes on where it was. Seeking the live
stream back instead is unsafe in Faust: messages read before the seek still reach the
agents, and Faust then drops the re-read ones as older than what it last handed on.

A loss shows in two places: a batch the store refuses (it reports the partition
`behind`), and an audit that compares, every few seconds, what Redis holds with what it
acknowledged, for partitions where nothing new arrives. A batch that does not start right
after what Redis acknowledged (one that failed before it, or a seek at assignment that
left older messages in Faust's buffers) is completed from the log the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from aiokafka import TopicPartition
from redis.exceptions import RedisError

from pantau.contract.settings import Settings
from pantau.contract.topics import Partition
from pantau.logreader import LogReader
from pantau.state.store import CommitReport
from streams.metrics import PipelineMetrics
from streams.patience import ATTEMPT_SECONDS
from streams.positions import PartitionPositions
from streams.processor import Received

log = logging.getLogger("pantau.worker")
AUDIT_SECONDS = 5.0


class Processing(Protocol):
    async def process(
        self,
        messages: Mapping[Partition, Sequence[Received]],
        acknowledged: Mapping[Partition, int | None],
    ) -> CommitReport: ...


class StoredOffsets(Protocol):
    async def stored_offset(self, topic: str, partition: int) -> int | None: ...


ReadBack = Callable[[Partition, int | None, int], Awaitable[Sequence[Received]]]


class Continuity:
    def __init__(
        self,
        processor: Processing,
        store: StoredOffsets,
        positions: PartitionPositions,
        metrics: PipelineMetrics,
        read_back: ReadBack,
    ) -> None:
        self._processor = processor
        self._store = store
        self._positions = positions
        self._metrics = metrics
        self._read_back = read_back
        # One batch at a time per topic: the agent's, or the audit's read-back.
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def apply(self, topic: str, received: Sequence[Received]) -> CommitReport | None:
        """Apply messages of `topic` the live stream delivered, in any partitions."""
        async with self._locks[topic]:
            messages = self._positions.admit(received)
            if not messages:
                return None
            grouped: dict[tuple[str, int], list[Received]] = defaultdict(list)
            for message in messages:  # plain tuples: no Partition built per message
                grouped[(message.topic, message.partition)].append(message)
            return await self._apply_contiguous({Partition(*k): v for k, v in grouped.items()})

    async def apply_fetch(
        self, topic: str, fetch: Sequence[Sequence[Received]]
    ) -> CommitReport | None:
        """Apply one fetch of `topic`: per partition, its records in offset order, as the
        batch transport delivers them (streams/transport.py)."""
        async with self._locks[topic]:
            pending: dict[Partition, Sequence[Received]] = {}
            for records in fetch:
                partition = Partition(topic, records[0].partition)
                if admitted := self._positions.admit_fetch(partition, records):
                    # A partition fetched twice while the agent was busy: consecutive.
                    earlier = pending.get(partition)
                    pending[partition] = admitted if earlier is None else [*earlier, *admitted]
            if not pending:
                return None
            return await self._apply_contiguous(pending)

    async def audit(self) -> None:
        """Read back what Redis lost in partitions the live stream is not delivering."""
        for partition, acknowledged in list(self._positions.acknowledged.items()):
            if acknowledged is None:
                continue
            # Read without the topic's lock, so that a Redis that hangs never holds up
            # the agent; bounded, as every worker call on Redis is.
            try:
                async with asyncio.timeout(ATTEMPT_SECONDS):
                    held = await self._store.stored_offset(*partition)
            except (RedisError, TimeoutError) as error:
                # The batches themselves wait out an unreachable Redis.
                log.debug("audit of the stored offsets put off: %r", error)
                return
            # Redis only moves forward unless it loses writes, so holding less than it
            # had acknowledged before this read is a loss.
            if held is not None and held >= acknowledged:
                continue
            async with self._locks[partition[0]]:
                if self._positions.acknowledged.get(partition) != acknowledged:
                    continue  # a batch has been stored since, and saw the loss itself
                self._report_loss(partition, held, acknowledged)
                self._positions.lost(partition, held)
                try:
                    await self._apply_contiguous({partition: []}, through={partition: acknowledged})
                except Exception:
                    # Found again at the next audit (or refused at the next batch).
                    self._positions.lost(partition, acknowledged)
                    log.exception("reading back %s[%d] failed; trying again later", *partition)

    async def _apply_contiguous(
        self,
        by_partition: dict[Partition, Sequence[Received]],
        through: dict[Partition, int] | None = None,
    ) -> CommitReport:
        """Apply each partition's messages, first reading back from the log whatever lies
        between what Redis acknowledged and them; again while Redis reports a loss."""
        total = CommitReport()
        through = dict(through or {})
        pending = by_partition
        while pending:
            pending = {p: m for p, m in pending.items() if self._positions.owns(p)}
            acknowledged = {p: self._positions.acknowledged[p] for p in pending}
            for partition, messages in pending.items():
                last = messages[-1].offset if messages else through[partition]
                if not _continues(acknowledged[partition], messages, last):
                    pending[partition] = read = await self._read_back(
                        partition, acknowledged[partition], last
                    )
                    self._metrics.read_back.labels(partition[0]).inc(len(read))
            if not any(pending.values()):
                break
            report = await self._processor.process(pending, acknowledged)
            self._positions.stored(
                {p: m[-1].offset for p, m in pending.items() if m and p not in report.behind}
            )
            _add(total, report)
            for partition, held in report.behind.items():
                self._report_loss(partition, held, acknowledged[partition])
                self._positions.lost(partition, held)
            pending = {p: pending[p] for p in report.behind}
        return total

    def _report_loss(
        self, partition: Partition, held: int | None, acknowledged: int | None
    ) -> None:
        self._metrics.redis_rewinds.labels(partition[0]).inc()
        log.warning(
            "Redis holds %s[%d] at offset %s, behind the %s it acknowledged (it lost "
            "writes); reading the difference back from the log",
            *partition,
            held,
            acknowledged,
        )


class LogReadBack:
    """Reads a partition's offsets after `acknowledged` through `last` from the log (from
    its first offset if retention already deleted older ones)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def __call__(
        self, partition: Partition, acknowledged: int | None, last: int
    ) -> list[Received]:
        tp = TopicPartition(*partition)
        start = 0 if acknowledged is None else acknowledged + 1
        read: list[Received] = []
        async with LogReader(self._settings, client_id="pantau-worker-readback") as reader:
            first, _ = (await reader.bounds([tp]))[tp]
            async for records in reader.read(tp, max(start, first), last + 1):
                read.extend(records)
        log.info(
            "read back %s[%d] offsets %d to %d from the log (%d messages)",
            *partition,
            start,
            last,
            len(read),
        )
        return read


def _continues(acknowledged: int | None, messages: Sequence[Received], last: int) -> bool:
    """Whether `messages` are every offset after `acknowledged` through `last`. Their
    offsets rise strictly (one partition, in log order), so the ends and the count decide."""
    start = 0 if acknowledged is None else acknowledged + 1
    if not messages:
        return start > last
    return (
        messages[0].offset == start
        and messages[-1].offset == last
        and len(messages) == last - start + 1
    )


def _add(total: CommitReport, report: CommitReport) -> None:
    total.applied += report.applied
    total.unchanged += report.unchanged
    total.skipped += report.skipped
    total.applied_events.extend(report.applied_events)
