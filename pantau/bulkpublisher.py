"""Publishing a file's worth of events at once: each partition's events are gathered into
large record batches and each batch is sent whole.

The guarantees are EventPublisher's: idempotence and `acks=all`, keyed by entity with
the default partitioner (so an entity's events share a partition with the ones other
producers send, in order), headers on every record, and every event accounted for: a
flush names each one not acknowledged. What differs is the cost per event: kafka-python
builds every record in Python (about 25 us); here aiokafka's compiled batch builder
takes it in about 1 us, compressed with zstd per batch, and the outcome is read per batch.

The events' side runs in the caller's thread; the producer runs its own event loop in a
thread of its own. One caller thread at a time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar

from aiokafka import AIOKafkaProducer

from pantau.contract.city import CityProfile
from pantau.contract.connections import kafka_options
from pantau.contract.events import SCHEMA_VERSION, AnyEvent, encode_event
from pantau.contract.settings import Settings
from pantau.contract.topics import HEADER_KIND, HEADER_SCHEMA_VERSION, TOPIC_OF_KIND
from pantau.partitioning import Partitioner
from pantau.publisher import DeliveryFailure, PublishError

T = TypeVar("T")

BATCH_BYTES = 1024 * 1024  # uncompressed; zstd makes about an eighth of it
IN_FLIGHT = 32  # batches handed to the producer and not answered yet, at most

_HEADERS = {
    kind: [(HEADER_KIND, kind.encode()), (HEADER_SCHEMA_VERSION, str(SCHEMA_VERSION).encode())]
    for kind in TOPIC_OF_KIND
}


@dataclass
class _Batch:
    topic: str
    partition: int
    builder: Any  # aiokafka's BatchBuilder
    event_ids: list[str] = field(default_factory=list)


class BulkPublisher:
    """`publish` / `publish_checked`, `flush`, `close`, like EventPublisher; an event
    leaves when its batch is full or at the next flush."""

    def __init__(
        self,
        settings: Settings,
        profile: CityProfile | None = None,
        *,
        client_id: str = "pantau-bulk",
        delivery_timeout_ms: int = 120_000,
        batch_bytes: int = BATCH_BYTES,
        compression: str | None = "zstd",
        producer: Any = None,
    ) -> None:
        self._profile = profile
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"{client_id}-loop", daemon=True
        )
        self._thread.start()
        options = {
            "bootstrap_servers": settings.kafka_bootstrap,
            **kafka_options(settings),
            "client_id": client_id,
            "acks": "all",
            "enable_idempotence": True,
            "compression_type": compression,
            "max_batch_size": batch_bytes,
            # A batch that could not be sent within this fails (named at flush).
            "request_timeout_ms": delivery_timeout_ms,
        }
        try:
            # `producer` lets a unit test stand in for aiokafka and the broker.
            self._producer = self._call(_started(producer, options))
        except BaseException:
            self._stop_loop()
            raise
        self._partitioner = Partitioner()
        self._partitions: dict[str, int] = {}  # topic -> its number of partitions
        self._open: dict[tuple[str, int], _Batch] = {}
        # Handed to the producer, outcome not read yet, oldest first.
        self._sent: deque[tuple[_Batch, concurrent.futures.Future[None]]] = deque()
        # Named in a flush that timed out, still without an outcome (read when it comes).
        self._named: list[tuple[_Batch, concurrent.futures.Future[None]]] = []
        self._acknowledged = 0
        self._failures: list[DeliveryFailure] = []
        self._closed = False

    @property
    def acknowledged(self) -> int:
        """Events the brokers have acknowledged so far."""
        self._sent = deque(self._account_done(self._sent))
        self._read_outcomes()
        return self._acknowledged

    def publish(self, event: AnyEvent) -> None:
        """Check the event against the city, then send it; ContractError if it does not fit."""
        if self._profile is not None:
            self._profile.check(event)
        self.publish_checked(event, encode_event(event))

    def publish_checked(self, event: AnyEvent, value: bytes) -> None:
        """Send an event its caller has already checked against the city, as `value`: its
        wire form (`encode_event(event)`)."""
        kind = event.kind
        topic = TOPIC_OF_KIND[kind].name
        key = event.entity_id.encode()
        partitions = self._partitions.get(topic) or self._partition_count(topic)
        partition = self._partitioner(key, partitions)
        batch = self._open.get((topic, partition)) or self._new_batch(topic, partition)
        headers = _HEADERS[kind]
        if batch.builder.append(timestamp=None, key=key, value=value, headers=headers) is None:
            self._send(batch)
            batch = self._new_batch(topic, partition)
            # An empty batch takes any one record; an oversized one is refused by the broker.
            batch.builder.append(timestamp=None, key=key, value=value, headers=headers)
        batch.event_ids.append(event.event_id)

    def flush(self, timeout: float | None = None) -> int:
        """Send what is gathered and wait for every batch; raise PublishError naming each
        event not acknowledged (past `timeout`, each one still waiting too: it may yet
        arrive, so a caller that sends it again relies on the event ids to drop it)."""
        for batch in list(self._open.values()):
            self._send(batch)
        waiting = [future for _, future in self._sent]
        concurrent.futures.wait(waiting, timeout=timeout)
        self._read_outcomes()
        still_open = self._account_done(self._sent)
        self._sent.clear()
        failures, self._failures = self._failures, []
        if still_open:
            self._named += still_open
            failures += [
                DeliveryFailure(event_id, batch.topic, f"not acknowledged within {timeout} s")
                for batch, _ in still_open
                for event_id in batch.event_ids
            ]
        if failures:
            raise PublishError(failures)
        return self._acknowledged

    def close(self, timeout: float | None = None) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.flush(timeout)
        finally:
            try:
                self._call(self._producer.stop(), timeout)
            finally:
                self._stop_loop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _partition_count(self, topic: str) -> int:
        found: set[int] = self._call(self._producer.partitions_for(topic))
        self._partitions[topic] = len(found)
        return len(found)

    def _new_batch(self, topic: str, partition: int) -> _Batch:
        batch = _Batch(topic, partition, self._producer.create_batch())
        self._open[(topic, partition)] = batch
        return batch

    def _send(self, batch: _Batch) -> None:
        del self._open[(batch.topic, batch.partition)]
        if not batch.event_ids:
            return
        while len(self._sent) >= IN_FLIGHT:
            self._read_outcomes()
            if len(self._sent) >= IN_FLIGHT:
                concurrent.futures.wait([self._sent[0][1]])
        future = asyncio.run_coroutine_threadsafe(self._deliver(batch), self._loop)
        self._sent.append((batch, future))

    async def _deliver(self, batch: _Batch) -> None:
        # send_batch waits while the partition's previous batch is queued, then queues
        # this one; its answer comes with the brokers' acknowledgement (or failure).
        delivered = await self._producer.send_batch(
            batch.builder, batch.topic, partition=batch.partition
        )
        await delivered

    def _read_outcomes(self) -> None:
        sent = self._sent
        while sent and sent[0][1].done():
            self._account(*sent.popleft())
        if self._named:
            self._named = self._account_done(self._named)

    def _account_done(
        self, entries: deque[tuple[_Batch, concurrent.futures.Future[None]]] | list[Any]
    ) -> list[tuple[_Batch, concurrent.futures.Future[None]]]:
        still_open = []
        for entry in entries:
            if entry[1].done():
                self._account(*entry)
            else:
                still_open.append(entry)
        return still_open

    def _account(self, batch: _Batch, future: concurrent.futures.Future[None]) -> None:
        error = future.exception() if not future.cancelled() else TimeoutError("cancelled")
        if error is None:
            self._acknowledged += len(batch.event_ids)
            return
        reason = f"{type(error).__name__}: {error}"
        self._failures += [DeliveryFailure(i, batch.topic, reason) for i in batch.event_ids]

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def _started(producer: Any, options: dict[str, Any]) -> Any:
    producer = producer or AIOKafkaProducer(**options)  # made in the loop it runs in
    await producer.start()
    return producer
