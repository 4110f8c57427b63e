"""`pantau run checkpoint`: follow the event topics, extend each partition's hash chain,
and record a checkpoint every so many events (or seconds) in the audit topic and in Redis.
Every event read is also a leaf of the log's Merkle tree (consumers/audit/tree.py).

Its place is the chain head in Redis, written after the checkpoint is acknowledged by
Kafka: after a crash the same range is checkpointed again, and verify accepts repeats
that agree.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import redis
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from consumers.audit.chain import ChainHead, Checkpoint, checkpoint_of, digest
from consumers.audit.checkpoint_metrics import CheckpointerMetrics
from consumers.audit.tree_recorder import TreeRecorder
from pantau.contract.connections import kafka_options
from pantau.contract.keys import CHECKPOINTER_ALIVE_SECONDS, KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import AUDIT, EVENT_TOPICS, Partition
from pantau.health import Heartbeat

log = logging.getLogger("pantau.audit")
Pending = list[tuple[int, str]]  # (offset, digest)
ALIVE_SECONDS = CHECKPOINTER_ALIVE_SECONDS


class Checkpointer:
    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        every: int = 500,
        interval: float = 30.0,
        metrics: CheckpointerMetrics | None = None,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.heartbeat = heartbeat
        self.redis = client
        self.keys = KeySpace(settings.redis_prefix)
        self.every = every
        self.interval = interval
        self.partitions = [TopicPartition(t.name, p) for t in EVENT_TOPICS.values()
                           for p in range(t.partitions)]  # fmt: skip
        self.heads = {tp: self._head(tp) for tp in self.partitions}
        self.tree = TreeRecorder.open(settings, client, every, interval, metrics)
        self.written = 0

    def _head(self, tp: TopicPartition) -> ChainHead:
        raw = self.redis.get(self.keys.audit_head(Partition(*tp).label))
        return ChainHead() if raw is None else ChainHead.model_validate_json(raw)

    def run(self, until_caught_up: bool = False, stop: Callable[[], bool] = lambda: False) -> int:
        """Checkpoint forever, or (until_caught_up) up to the log's end now, then return."""
        consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            **kafka_options(self.settings),
            group_id=None,
            enable_auto_commit=False,
            client_id="pantau-audit-checkpoint",
            max_poll_records=10_000,
            fetch_max_bytes=32 * 1024 * 1024,
            max_partition_fetch_bytes=32 * 1024 * 1024,
        )
        producer = KafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            **kafka_options(self.settings),
            client_id="pantau-audit-checkpoint",
            acks="all",
            enable_idempotence=True,
            compression_type="lz4",
        )
        try:
            consumer.assign(self.partitions)
            for tp in self.partitions:
                consumer.seek(tp, self._start(tp))
            ends = consumer.end_offsets(self.partitions) if until_caught_up else {}
            pending: dict[TopicPartition, Pending] = {tp: [] for tp in self.partitions}
            since: dict[TopicPartition, float] = {}
            while not stop():
                self.redis.set(
                    self.keys.checkpointer_alive, datetime.now(UTC).isoformat(), ex=ALIVE_SECONDS
                )
                for tp, records in consumer.poll(timeout_ms=500).items():
                    head = self.heads[tp].next_offset
                    pending[tp].extend((r.offset, digest(r.value)) for r in records
                                       if r.offset >= head)  # fmt: skip
                    if self.tree is not None:
                        self.tree.add(Partition(*tp).label, ((r.offset, r.value) for r in records))
                    if pending[tp]:
                        since.setdefault(tp, time.monotonic())
                done = until_caught_up and all(
                    consumer.position(tp) >= ends[tp] for tp in self.partitions
                )
                for tp, items in pending.items():
                    due = len(items) >= self.every or done or (
                        items and time.monotonic() - since[tp] >= self.interval)  # fmt: skip
                    if items and due:
                        self._record(producer, tp, items)
                        pending[tp] = []
                        since.pop(tp, None)
                if self.tree is not None:
                    self.tree.step(producer, caught_up=done)
                self._progressed()
                if done:
                    break
        finally:
            producer.close()
            consumer.close()
        return self.written

    def _start(self, tp: TopicPartition) -> int:
        """Where reading resumes: the chain's head, or the tree's place if it is behind
        (records below the chain's head are only the tree's, and the reverse)."""
        head = self.heads[tp].next_offset
        return head if self.tree is None else min(head, self.tree.next_offset(Partition(*tp).label))

    def _record(self, producer: KafkaProducer, tp: TopicPartition, items: Pending) -> None:
        checkpoint = checkpoint_of(
            tp.topic, tp.partition, self.heads[tp].hash, items, datetime.now(UTC)
        )
        self._publish(producer, checkpoint)
        self._advance(tp, checkpoint)
        self.written += 1
        if self.metrics is not None:
            self.metrics.recorded(tp.topic, len(items))
        log.info(
            "checkpoint %s %d..%d %s",
            checkpoint.shard,
            checkpoint.first_offset,
            checkpoint.last_offset,
            checkpoint.hash,
        )

    def _progressed(self) -> None:
        """One round done: what /health and PantauCheckpointerStuck look at."""
        if self.metrics is not None:
            self.metrics.progressed()
        if self.heartbeat is not None:
            self.heartbeat.beat()

    def _publish(self, producer: KafkaProducer, checkpoint: Checkpoint) -> None:
        """The record itself: in the audit topic, acknowledged, before anything else moves."""
        producer.send(
            AUDIT.name, key=checkpoint.shard.encode(), value=checkpoint.model_dump_json().encode()
        ).get(timeout=60)

    def _advance(self, tp: TopicPartition, checkpoint: Checkpoint) -> None:
        """Move the head in Redis, only once the topic holds the checkpoint it stands on
        (verify relies on that order)."""
        summary = checkpoint.model_dump(mode="json", exclude={"digests", "offsets"})
        new_head = ChainHead(next_offset=checkpoint.last_offset + 1, hash=checkpoint.hash)
        with self.redis.pipeline(transaction=True) as pipeline:
            pipeline.set(self.keys.audit_head(checkpoint.shard), new_head.model_dump_json())
            pipeline.zadd(
                self.keys.audit_checkpoints(checkpoint.shard),
                {json.dumps(summary): checkpoint.last_offset},
            )
            pipeline.execute()
        self.heads[tp] = new_head


def is_alive(client: redis.Redis, keys: KeySpace) -> bool:
    return bool(client.exists(keys.checkpointer_alive))
