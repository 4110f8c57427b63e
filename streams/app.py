"""The Faust worker: one agent per event topic, each item one fetch of one partition
(streams/transport.py), resuming from the offsets stored in Redis whenever partitions are
assigned, and reading back from the log whatever Redis lost of what it had acknowledged
(streams/continuity.py)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import faust
import redis.asyncio as aioredis
from faust.types import TP
from prometheus_client import CollectorRegistry

from pantau.context import Context
from pantau.contract.connections import faust_credentials
from pantau.contract.events import EventKind
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS, Partition
from pantau.state.service_fields import ServiceClock
from pantau.state.store import StateStore
from streams.continuity import AUDIT_SECONDS, Continuity, LogReadBack
from streams.deadletter import FaustDeadLetters
from streams.dump import install_task_dump
from streams.metrics import PipelineMetrics
from streams.monitor import BatchMonitor
from streams.patience import until_redis_answers
from streams.positions import PartitionPositions
from streams.processor import BatchProcessor
from streams.transport import FetchCarrier, RecordBatches, use_batch_transport

log = logging.getLogger("pantau.worker")
# Throughput comes from big batches: one Redis round trip and one script per partition
# per batch, whatever its size. A batch is one fetch of one partition: under load, what
# arrived while the last one was committed; when quiet, each record as it comes.
POLL_RECORDS = 5000
# Items in an agent's buffer: carriers of whole fetches, which later fetches join while
# they wait (streams/transport.py), so the buffer rarely holds more than one.
STREAM_BUFFER_BATCHES = 8


@dataclass
class Worker:
    app: faust.App
    processor: BatchProcessor
    store: StateStore
    registry: CollectorRegistry
    redis: aioredis.Redis
    continuity: Continuity
    positions: PartitionPositions

    @property
    def owned(self) -> list[TP]:
        return [TP(topic, partition) for topic, partition in sorted(self.positions.expected)]


def build_worker(context: Context, registry: CollectorRegistry) -> Worker:
    settings, profile = context.settings, context.profile
    app = faust.App(
        settings.worker_group,
        broker=[f"kafka://{server.strip()}" for server in settings.kafka_bootstrap.split(",")],
        broker_credentials=faust_credentials(settings),
        store="memory://",
        # Faust's own folder (its default is `<group>-data` in whatever directory the
        # worker was started from), kept with the rest of the state.
        datadir=str(_faust_folder(settings)),
        autodiscover=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        web_enabled=True,
        web_bind=settings.worker_web_bind,
        web_port=settings.worker_web_port,
        web_in_thread=False,
        producer_acks=-1,
        # Faust's default Monitor keeps per-event statistics nobody reads here (Pantau
        # exports its own metrics per batch); see streams/monitor.py.
        Monitor=BatchMonitor,
        broker_max_poll_records=POLL_RECORDS,
        stream_buffer_maxsize=STREAM_BUFFER_BATCHES,
        consumer_max_fetch_size=16 * 1024 * 1024,
        # A worker killed outright holds its partitions until the session times out:
        # keep that short so a restart (or a peer) resumes within seconds, not a minute.
        broker_session_timeout=settings.worker_session_timeout,
        broker_heartbeat_interval=settings.worker_session_timeout / 4,
        broker_rebalance_timeout=max(20.0, 2 * settings.worker_session_timeout),
    )
    # Timeouts so that a Redis that stops answering (not only one that refuses) is noticed
    # and waited out; see streams/patience.py.
    client = context.async_redis(socket_timeout=10, socket_connect_timeout=5)
    store = StateStore(client, context.keys, profile.timezone, ServiceClock.of(profile))
    kinds = {spec.name: kind for kind, spec in EVENT_TOPICS.items()}
    processor = BatchProcessor(
        store, profile, FaustDeadLetters(app), PipelineMetrics(registry), kinds
    )
    positions = PartitionPositions()
    continuity = Continuity(processor, store, positions, processor.metrics, LogReadBack(settings))
    worker = Worker(app, processor, store, registry, client, continuity, positions)
    use_batch_transport(app)
    for kind, spec in EVENT_TOPICS.items():
        _add_agent(worker, kind, spec.name)
    _on_rebalance(worker, set(kinds))
    app.timer(AUDIT_SECONDS)(continuity.audit)

    async def allow_task_dump() -> None:
        install_task_dump(asyncio.get_running_loop(), app)

    app.task(allow_task_dump)

    return worker


def _add_agent(worker: Worker, kind: EventKind, topic_name: str) -> None:
    topic = worker.app.topic(topic_name, schema=RecordBatches())

    async def apply(stream: Any) -> None:
        carrier: FetchCarrier
        async for carrier in stream:
            await worker.continuity.apply_fetch(topic_name, carrier.take())
            carrier.acknowledge()
            _report_lag(worker, topic_name)

    worker.app.agent(topic, name=f"pantau.{kind.value}")(apply)


def _report_lag(worker: Worker, topic: str) -> None:
    """Lag of a topic over every owned partition: its high watermark less the next offset
    this worker will read (partitions idle in this batch count with their last place)."""
    lag = 0
    for tp in worker.owned:
        if tp.topic != topic:
            continue
        highwater = worker.app.consumer.highwater(tp)
        position = worker.positions.expected.get((tp.topic, tp.partition))
        if highwater is not None and position is not None:
            lag += max(0, highwater - position)
    worker.processor.metrics.consumer_lag.labels(topic).set(lag)


def _on_rebalance(worker: Worker, topics: set[str]) -> None:
    async def resume_from_redis(app: Any, assigned: Any, **_: Any) -> None:
        # Redis, not Kafka's committed offsets, says what is applied: start right after it.
        mine = [tp for tp in assigned if tp.topic in topics]
        stored = await until_redis_answers(
            lambda: asyncio.gather(
                *(worker.store.stored_offset(tp.topic, tp.partition) for tp in mine)
            ),
            worker.processor.metrics.redis_retries,
            "reading the stored offsets",
        )
        starts = {
            tp: worker.positions.assign(Partition(*tp), offset)
            for tp, offset in zip(mine, stored, strict=True)
        }
        # seek_wait moves the positions inside the consumer's own thread. Consumer.seek
        # would touch the fetcher's buffers from this thread while that thread drains them,
        # which crashes the fetcher with a KeyError now and then.
        await app.consumer.seek_wait(starts)
        kept = {Partition(*tp) for tp in mine}
        worker.positions.revoke([Partition(*p) for p in worker.positions.expected if p not in kept])
        log.info(
            "resuming %s",
            {Partition(*tp).label: o for tp, o in zip(mine, stored, strict=True)},
        )

    async def forget(app: Any, revoked: Any, **_: Any) -> None:
        worker.positions.revoke(Partition(*tp) for tp in revoked)
        for tp in revoked:
            worker.store.forget(tp.topic, tp.partition)

    # Faust's signal types do not describe keyword receivers; the calls are as documented.
    worker.app.on_partitions_assigned.connect(cast(Any, resume_from_redis))
    worker.app.on_partitions_revoked.connect(cast(Any, forget))


def _faust_folder(settings: Settings) -> Path:
    """Where Faust keeps its files: under the state folder, which Faust would not create
    (it makes only the last level)."""
    folder = settings.state_dir / "faust"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / settings.worker_group
