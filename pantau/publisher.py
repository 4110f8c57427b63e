"""The one publisher every role uses to write to Kafka: the producers' events, the
detector's alerts; validated, keyed by entity.

kafka-python with idempotence and `acks=all`, so a retried send never duplicates a
record in a partition; batching and lz4 compression for throughput. A failed delivery is
recorded and raised at the next flush, never dropped silently.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError

from pantau.contract.alerts import AlertEvent
from pantau.contract.city import CityProfile
from pantau.contract.connections import kafka_options
from pantau.contract.events import SCHEMA_VERSION, AnyEvent
from pantau.contract.settings import Settings
from pantau.contract.topics import HEADER_KIND, HEADER_SCHEMA_VERSION, TOPIC_OF_KIND

log = logging.getLogger("pantau.publisher")

Publishable = AnyEvent | AlertEvent


@dataclass(frozen=True)
class DeliveryFailure:
    event_id: str
    topic: str
    error: str


class PublishError(RuntimeError):
    """Kafka did not acknowledge some events; each is named by its event id."""

    def __init__(self, failures: list[DeliveryFailure]) -> None:
        self.failures = failures
        shown = ", ".join(f"{f.event_id} ({f.error})" for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        super().__init__(f"{len(failures)} events were not delivered: {shown}{more}")


class EventPublisher:
    def __init__(
        self,
        settings: Settings,
        profile: CityProfile | None = None,
        *,
        client_id: str = "pantau-producer",
        delivery_timeout_ms: int = 120_000,
        producer: Any = None,
    ) -> None:
        self._profile = profile
        # `producer` lets a unit test stand in for the broker; everything else uses Kafka.
        self._producer = producer or KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap,
            **kafka_options(settings),
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            compression_type="lz4",
            linger_ms=10,
            batch_size=256 * 1024,
            delivery_timeout_ms=delivery_timeout_ms,
            # A request may not outlive the delivery it belongs to (kafka-python insists).
            request_timeout_ms=min(30_000, delivery_timeout_ms // 2),
        )
        self._lock = threading.Lock()
        self._acknowledged = 0
        self._failures: list[DeliveryFailure] = []
        self._pending: dict[str, str] = {}  # sent, not yet acknowledged: event id -> topic

    @property
    def acknowledged(self) -> int:
        """Events the brokers have acknowledged so far."""
        with self._lock:
            return self._acknowledged

    def publish(self, event: Publishable) -> None:
        """Check the event against the city, then send it; ContractError if it does not fit."""
        self._send(event)

    def publish_confirmed(self, event: Publishable, timeout: float = 30.0) -> tuple[int, int]:
        """Send and wait for the brokers' acknowledgement: (partition, offset).

        For a caller that must not answer before the event is safe, such as the intake.
        """
        metadata = self._send(event).get(timeout=timeout)
        return metadata.partition, metadata.offset

    def _send(self, event: Publishable) -> Any:
        if self._profile is not None and not isinstance(event, AlertEvent):
            self._profile.check(event)
        topic = TOPIC_OF_KIND[event.kind].name
        future = self._producer.send(
            topic,
            key=event.entity_id.encode(),
            value=event.model_dump_json().encode(),
            headers=[
                (HEADER_KIND, event.kind.encode()),
                (HEADER_SCHEMA_VERSION, str(SCHEMA_VERSION).encode()),
            ],
        )
        with self._lock:
            self._pending[event.event_id] = topic
        future.add_callback(self._on_delivered, event.event_id)
        future.add_errback(self._on_failed, event.event_id, topic)
        return future

    def flush(self, timeout: float | None = None) -> int:
        """Wait for every send; raise PublishError naming what was not acknowledged.

        Past `timeout`, what is still waiting is named too: it may yet arrive, so a caller
        that sends it again relies on the event ids to drop the repeat.
        """
        try:
            self._producer.flush(timeout=timeout)
            timed_out = False
        except KafkaTimeoutError:
            timed_out = True
        with self._lock:
            failures, self._failures = self._failures, []
            if timed_out:
                failures += [
                    DeliveryFailure(event_id, topic, f"not acknowledged within {timeout} s")
                    for event_id, topic in self._pending.items()
                ]
                self._pending.clear()
            acknowledged = self._acknowledged
        if failures:
            raise PublishError(failures)
        return acknowledged

    def close(self, timeout: float | None = None) -> None:
        try:
            self.flush(timeout)
        finally:
            self._close_producer(timeout)

    def _close_producer(self, timeout: float | None) -> None:
        try:
            self._producer.close(timeout=timeout)
        except KafkaTimeoutError:
            # flush() above already accounted for every event (acknowledged, or named in a
            # PublishError); what the client still holds are its own retries of batches
            # sent during an outage. kafka-python raises here before it stops its sender
            # thread, so stop the sender without sending more, then close.
            log.warning("closing the producer: batches still retried; stopping without them")
            self._producer._sender.force_close()
            self._producer.close(timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Callbacks run on kafka-python's sender thread.
    def _on_delivered(self, event_id: str, _metadata: Any) -> None:
        with self._lock:
            self._acknowledged += 1
            self._pending.pop(event_id, None)

    def _on_failed(self, event_id: str, topic: str, error: BaseException) -> None:
        with self._lock:
            self._pending.pop(event_id, None)
            self._failures.append(
                DeliveryFailure(event_id, topic, f"{type(error).__name__}: {error}")
            )
