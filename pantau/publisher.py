"""The one publisher every role uses to write to Kafka: the producers' events, the
detector's alerts; validated, keyed by entity.

kafka-python with idempotence and `acks=all`, so a retried send never duplicates a
record in a partition; batching and lz4 compression for throughput. A failed delivery is
recorded and raised at the next flush, never dropped silently.

Every send is kept with its event id until its outcome is read: no callback per event
(the sender thread would pay for it on every record), the outcomes are read in bulk now
and then and at each flush. A bulk load that has checked and encoded its events itself
hands them over with `publish_checked`.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError

from pantau.contract.alerts import AlertEvent
from pantau.contract.city import CityProfile
from pantau.contract.connections import kafka_options
from pantau.contract.events import SCHEMA_VERSION, AnyEvent
from pantau.contract.lifecycle import IncidentStep
from pantau.contract.settings import Settings
from pantau.contract.topics import HEADER_KIND, HEADER_SCHEMA_VERSION, TOPIC_OF_KIND

log = logging.getLogger("pantau.publisher")

Publishable = AnyEvent | AlertEvent | IncidentStep


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
        # Sent, outcome not read yet: (event id, topic, future), oldest first.
        self._sent: deque[tuple[str, str, Any]] = deque()
        # Named in a flush that timed out, still without an outcome: one that arrives later
        # is counted (acknowledged) or reported (failed) like any other.
        self._named: list[tuple[str, str, Any]] = []

    @property
    def acknowledged(self) -> int:
        """Events the brokers have acknowledged so far."""
        with self._lock:
            self._sent = deque(self._account_done(self._sent))
            self._read_outcomes()
            return self._acknowledged

    def publish(self, event: Publishable) -> None:
        """Check the event against the city, then send it; ContractError if it does not fit."""
        self._send(event)

    def publish_checked(self, event: AnyEvent, value: bytes) -> None:
        """Send an event its caller has already checked against the city, as `value`: its
        wire form (`encode_event(event)`), so it is neither checked nor encoded twice."""
        self._send_value(event.event_id, event.kind, event.entity_id, value)

    def publish_confirmed(self, event: Publishable, timeout: float = 30.0) -> tuple[int, int]:
        """Send and wait for the brokers' acknowledgement: (partition, offset).

        For a caller that must not answer before the event is safe, such as the intake.
        """
        metadata = self._send(event).get(timeout=timeout)
        return metadata.partition, metadata.offset

    def _send(self, event: Publishable) -> Any:
        if self._profile is not None and not isinstance(event, AlertEvent | IncidentStep):
            self._profile.check(event)
        value = event.model_dump_json().encode()
        return self._send_value(event.event_id, event.kind, event.entity_id, value)

    def _send_value(self, event_id: str, kind: str, entity_id: str, value: bytes) -> Any:
        topic = TOPIC_OF_KIND[kind].name
        future = self._producer.send(
            topic, key=entity_id.encode(), value=value, headers=_HEADERS[kind]
        )
        with self._lock:
            self._sent.append((event_id, topic, future))
            if len(self._sent) >= _READ_EVERY:
                self._read_outcomes()
        return future

    def _read_outcomes(self) -> None:
        """Count what the brokers answered, oldest first, up to the first still open; the
        caller holds the lock."""
        sent = self._sent
        while sent and sent[0][2].is_done:
            self._account(*sent.popleft())
        if self._named:
            self._named = self._account_done(self._named)

    def _account_done(self, entries: Iterable[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
        """Count the entries that have their outcome; return the others."""
        still_open = []
        for entry in entries:
            if entry[2].is_done:
                self._account(*entry)
            else:
                still_open.append(entry)
        return still_open

    def _account(self, event_id: str, topic: str, future: Any) -> None:
        if future.exception is None:
            self._acknowledged += 1
        else:
            error = future.exception
            self._failures.append(
                DeliveryFailure(event_id, topic, f"{type(error).__name__}: {error}")
            )

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
            self._read_outcomes()
            # Without a time-out, an outcome not read yet is only a callback away: it is
            # counted at the next read. After one, everything still open is named.
            still_open = self._account_done(self._sent)
            self._sent.clear()
            if timed_out:
                self._named += still_open
            else:
                self._sent.extend(still_open)
            failures, self._failures = self._failures, []
            if timed_out:
                failures += [
                    DeliveryFailure(event_id, topic, f"not acknowledged within {timeout} s")
                    for event_id, topic, _ in still_open
                ]
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


# Outcomes are read once this many sends wait, when the oldest has its answer.
_READ_EVERY = 4096
_HEADERS = {
    kind: [(HEADER_KIND, kind.encode()), (HEADER_SCHEMA_VERSION, str(SCHEMA_VERSION).encode())]
    for kind in TOPIC_OF_KIND
}
