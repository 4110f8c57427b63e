"""The batch transport against Faust's own consumer machinery (no broker needed): the
drop rule, one item per fetch, and a range acknowledged only with its batch. Faust's
internals it relies on are pinned here, so an upgrade that changes them fails loudly."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import inspect
import weakref
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, cast

import faust
import pytest
from aiokafka.errors import IllegalStateError
from faust.transport.consumer import Consumer as FaustConsumer
from faust.types import TP

import streams.transport
from streams.transport import (
    FETCH_MAX_WAIT_MS,
    FETCH_MIN_BYTES,
    FULL,
    BatchConsumer,
    BatchConsumerThread,
    BatchTransport,
    FetchCarrier,
    RecordBatches,
    use_batch_transport,
)

TOPIC = "pantau.complaints"
# The digests of the Faust code BatchConsumer replaces or imitates, as of 0.15.3. A new
# digest means Faust changed it: read the new code, bring streams/transport.py in line,
# and only then record the new digest here.
REPLACED = {
    "Consumer._drain_messages": "44a2500309e83c63",
    "Consumer.getmany": "4b168d84882a70d6",
    "Consumer._add_gap": "4df2573ded7c1c2c",
    "Consumer._new_offset": "1d2c7ea89a7ad4f1",
}


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None = None
    value: bytes | None = b"{}"
    timestamp: int | None = 1_700_000_000_000
    timestamp_type: int = 0


def _digest(function: Any) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def test_faust_is_a_version_the_transport_was_checked_against() -> None:
    major, minor, *_ = version("faust-streaming").split(".")
    assert (int(major), int(minor)) == (0, 15)


@pytest.mark.parametrize("name", sorted(REPLACED))
def test_the_faust_code_the_transport_replaces_is_unchanged(name: str) -> None:
    function = getattr(FaustConsumer, name.split(".")[1])
    assert _digest(function) == REPLACED[name], (
        f"faust-streaming changed {name}: review streams/transport.py against it"
    )


def test_the_faust_internals_the_transport_uses_exist() -> None:
    consumer = _consumer()
    for attribute in ("_read_offset", "_gap", "_acked", "_committed_offset", "_n_acked",
                      "_buffered_partitions", "suspend_flow", "_commit_every"):  # fmt: skip
        assert hasattr(consumer, attribute), attribute
    for method in ("_wait_next_records", "perform_seek", "wait_first", "commit", "ack"):
        assert callable(getattr(consumer, method)), method


def _consumer() -> BatchConsumer:
    app = faust.App("pantau-transport-test", broker="kafka://127.0.0.1:1")
    use_batch_transport(app)
    app.topics.add(app.topic(TOPIC, schema=RecordBatches()))
    consumer = app.consumer
    assert isinstance(consumer, BatchConsumer)
    return consumer


def test_records_below_the_read_offset_are_dropped() -> None:
    consumer = _consumer()
    tp = TP(TOPIC, 0)
    fetched = [Record(TOPIC, 0, offset) for offset in range(10, 20)]
    assert consumer._unread(tp, fetched) == tuple(fetched)
    consumer._read_offset[tp] = 14
    assert [r.offset for r in consumer._unread(tp, fetched)] == list(range(14, 20))
    consumer._read_offset[tp] = 25
    assert consumer._unread(tp, fetched) == ()


async def test_a_message_stands_for_its_range_committed_only_once_acked() -> None:
    consumer = _consumer()
    await cast(Any, consumer.app.topics)._update_indices()  # as on subscribing
    tp = TP(TOPIC, 0)
    consumer._committed_offset[tp] = 10
    message = consumer._stand_for(tp, tuple(Record(TOPIC, 0, o) for o in range(10, 20)))
    assert message.offset == 19
    assert consumer._read_offset[tp] == 19
    assert consumer._new_offset(tp) is None  # nothing acknowledged yet: nothing to commit
    consumer.ack(message)
    assert consumer._new_offset(tp) == 20
    consumer._committed_offset[tp] = 20  # as Faust's commit records it

    # The next fetch continues after a hole (offsets 20 and 21 never came): both are
    # acknowledged with the batch that follows them.
    later = consumer._stand_for(tp, tuple(Record(TOPIC, 0, o) for o in range(22, 25)))
    assert consumer._new_offset(tp) is None
    consumer.ack(later)
    assert consumer._new_offset(tp) == 25


class ScriptedConsumer(BatchConsumer):
    """Faust's consumer with the broker replaced by a list of fetches."""

    fetches: list[dict[TP, list[Record]]]

    async def _wait_next_records(self, timeout: float) -> tuple[Any, Any]:
        if not self.fetches:
            self._stopped.set()
            return None, None
        return self.fetches.pop(0), None

    def highwater(self, tp: TP) -> int:
        return 0


async def _scripted_consumer() -> ScriptedConsumer:
    """A subscribed consumer of TOPIC whose fetches the test sets."""
    app = faust.App("pantau-transport-test", broker="kafka://127.0.0.1:1")
    app.transport = type("Scripted", (BatchTransport,), {"Consumer": ScriptedConsumer})(
        app.conf.broker_consumer, app
    )
    app.topics.add(app.topic(TOPIC, schema=RecordBatches()))
    await cast(Any, app.topics)._update_indices()
    consumer = cast(ScriptedConsumer, app.consumer)
    consumer.resume_flow()
    return consumer


async def test_fetches_join_the_waiting_carrier_and_every_range_is_acknowledged() -> None:
    consumer = await _scripted_consumer()
    p0, p1 = TP(TOPIC, 0), TP(TOPIC, 1)
    consumer.fetches = [
        {p0: [Record(TOPIC, 0, o) for o in range(0, 3)], p1: [Record(TOPIC, 1, 0)]},
        {p0: [Record(TOPIC, 0, o) for o in range(3, 5)]},  # arrives while the first waits
    ]
    delivered: list[Any] = []

    async def deliver(message: Any) -> None:
        delivered.append(message)

    consumer.callback = deliver
    await consumer._drain_messages(cast(Any, type("Fetcher", (), {"_stopped": asyncio.Event()})()))
    (message,) = delivered  # one item for the topic: the second fetch joined it
    carrier = message.value
    assert [[r.offset for r in batch] for batch in carrier.take()] == [[0, 1, 2], [0], [3, 4]]
    assert consumer._new_offset(p0) is None
    carrier.acknowledge()
    assert (consumer._new_offset(p0), consumer._new_offset(p1)) == (5, 1)


async def test_reading_waits_while_a_carriers_worth_of_records_is_not_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Faust's buffer counts items, and a carrier can hold many thousand records: left to
    # it, a worker catching up held hundreds of thousands of records read ahead.
    monkeypatch.setattr(streams.transport, "FULL", 3)
    monkeypatch.setattr(streams.transport, "WAITING_LIMIT", 3)
    consumer = await _scripted_consumer()
    p0 = TP(TOPIC, 0)
    consumer.fetches = [
        {p0: [Record(TOPIC, 0, o) for o in range(0, 4)]},
        {p0: [Record(TOPIC, 0, o) for o in range(4, 6)]},
    ]
    delivered: list[Any] = []

    async def deliver(message: Any) -> None:
        delivered.append(message)

    consumer.callback = deliver
    fetcher = cast(Any, type("Fetcher", (), {"_stopped": asyncio.Event()})())
    draining = asyncio.create_task(consumer._drain_messages(fetcher))
    await asyncio.sleep(0.05)
    assert len(delivered) == 1 and len(consumer.fetches) == 1  # the second fetch waits
    assert consumer.records_waiting() == 4
    delivered[0].value.take()
    await asyncio.wait_for(draining, 2)
    assert [m.value.records for m in delivered] == [4, 2]
    assert consumer.fetches == []


async def test_a_carrier_never_delivered_does_not_hold_reading_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rebalance that begins between reading a fetch and delivering it: the carrier is
    # dropped (its records are read again), and no agent will ever take it.
    monkeypatch.setattr(streams.transport, "WAITING_LIMIT", 3)
    consumer = await _scripted_consumer()
    p0 = TP(TOPIC, 0)
    consumer.fetches = [{p0: [Record(TOPIC, 0, o) for o in range(0, 4)]}]

    async def deliver(message: Any) -> None:
        raise AssertionError("a carrier of an ended flow was delivered")

    consumer.callback = deliver

    def rebalance_begins(tp: TP, batch: Any) -> Any:
        consumer.flow_active = False
        return BatchConsumer._stand_for(consumer, tp, batch)

    consumer._stand_for = rebalance_begins  # type: ignore[method-assign]
    fetcher = cast(Any, type("Fetcher", (), {"_stopped": asyncio.Event()})())
    await asyncio.wait_for(consumer._drain_messages(fetcher), 2)
    assert consumer.records_waiting() == 0


def test_a_carrier_lets_go_of_its_records_once_taken_and_acknowledged() -> None:
    # The first standing message's value is the carrier: a cycle, which only the cyclic
    # collector would break, and a worker runs that seldom.
    consumer = _consumer()
    carrier = FetchCarrier(consumer, generation=1)
    record = Record(TOPIC, 0, 1)
    message = consumer._stand_for(TP(TOPIC, 0), (record,))
    message.value = cast(Any, carrier)
    carrier.add((record,), message)
    freed = weakref.ref(record)
    gc.disable()
    try:
        (batch,) = carrier.take()
        carrier.acknowledge()
        del batch, record, message
        assert freed() is None  # by reference counting alone
    finally:
        gc.enable()


def test_a_taken_carrier_takes_no_more() -> None:
    carrier = FetchCarrier(_consumer(), generation=1)
    carrier.add((Record(TOPIC, 0, 1),), cast(Any, None))
    assert [len(batch) for batch in carrier.take()] == [1]
    assert carrier.taken


def test_the_schema_hands_the_carrier_through_untouched() -> None:
    carrier = FetchCarrier(_consumer(), generation=1)

    class Message:
        key = None
        value = carrier

    assert RecordBatches().loads_value(None, Message()) is carrier


def test_a_full_carrier_takes_no_more_fetches() -> None:
    carrier = FetchCarrier(_consumer(), generation=1)
    assert carrier.joinable(1) and not carrier.joinable(2)
    carrier.add(tuple(Record(TOPIC, 0, o) for o in range(FULL)), cast(Any, None))
    assert not carrier.joinable(1)


async def test_a_seek_back_while_the_partitions_move_does_not_stop_the_drain_loop() -> None:
    consumer = _consumer()

    async def partitions_gone() -> None:
        raise IllegalStateError("No current assignment for partition TopicPartition(...)")

    cast(Any, consumer).perform_seek = partitions_gone
    await consumer._seek_back()  # logged and skipped: the next assignment seeks its own


async def test_the_broker_holds_a_fetch_a_tenth_of_a_second_at_most() -> None:
    # aiokafka keeps one fetch in flight per broker: a record arriving on a partition left
    # out of it waits until that fetch returns.
    consumer = _consumer()
    thread = consumer._new_consumer_thread()
    assert isinstance(thread, BatchConsumerThread)
    kafka = thread._create_worker_consumer(consumer.transport)
    assert kafka._fetch_max_wait_ms == FETCH_MAX_WAIT_MS == 100
    # Under load the broker gathers a batch's worth first rather than answer each record.
    assert kafka._fetch_min_bytes == FETCH_MIN_BYTES == 32 * 1024
    # ...and aiokafka still builds its fetcher from those attributes when it starts.
    start = inspect.getsource(type(kafka).start)
    assert "fetch_max_wait_ms=self._fetch_max_wait_ms" in start
    assert "fetch_min_bytes=self._fetch_min_bytes" in start
