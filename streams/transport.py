"""Faust's Kafka transport, delivering whole fetches of a topic to its agent as one item.

Faust hands its agents one record at a time: for every record its drain loop awaits the
conductor through `Service.wait_first` (two tasks made and cancelled), builds a Message
and an Event, and the stream sleeps once. That costs about 60 us a record, more than
Pantau's whole decode, fold and Redis write. Here the drain loop puts all records of one
topic in a fetch into a FetchCarrier and delivers that as one item; while a carrier
still waits in the agent's buffer, later fetches join it. So the agent applies whatever
arrived while it was busy in one batch (one Redis round trip), and delivering a fetch
awaits at most once per topic.

Every partition's records are stood for by one message at the last of its offsets; the
offsets before it are registered as a gap, so once the message is acknowledged Faust
commits the whole range, and not before. The carrier's first message travels through
Faust's stream, which acknowledges it; the agent acknowledges the others after applying
the carrier. (One item, or even one awaited hand-over, per partition and fetch was
tried first: each hand-over yields to the agent's CPU-bound batches, and at 2,000
events/s deliveries fell a second behind while the worker sat three quarters idle.)

Everything else stays Faust's: the App, the agents and their streams, the consumer group,
rebalance callbacks, offset commits, flow control, timers and web views. This relies on
faust-streaming internals (the drain loop's shape, `_read_offset`, `_gap`,
`_wait_next_records`): the version range is pinned in pyproject.toml, and
tests/unit/streams/test_transport.py fails when an upgrade changes what is replaced here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, cast

import faust
from aiokafka.errors import IllegalStateError
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from faust.types.tuples import ConsumerMessage
from mode import Service, ServiceT

log = logging.getLogger("pantau.worker")

# Records of one partition in one fetch, in offset order, as aiokafka returns them.
RecordBatch = tuple[Any, ...]
# Records a carrier takes before later fetches start a carrier of their own: a batch this
# large already shares its Redis round trip and aggregate writes among enough events.
FULL = 25_000
# Records read but not yet taken by an agent before the drain loop stops reading: the
# agent finds its next batch ready whenever it finishes one, and the worker holds about
# two carriers' worth (a record read from Kafka takes about 1 kB). Left to Faust's flow
# control, which counts items, eight carriers of 50,000 waited in a catch-up (1.5 GB
# resident); and a smaller item buffer pauses fetching as soon as one carrier waits, so
# it takes no more fetches and the batches (and throughput) shrink.
WAITING_LIMIT = FULL
# How long the broker may hold a fetch it has too little new for. aiokafka keeps one fetch in
# flight per broker, and a partition whose records were just taken joins only the next
# one, so a record arriving on it meanwhile waits out this interval: with Faust's 1.5 s,
# the last records of a burst reached Redis 1.5 s late. Idle, a worker asks ten times a
# second instead.
FETCH_MAX_WAIT_MS = 100
# What the broker gathers before it answers a fetch (or the wait above runs out). At one
# byte it answers at once with whatever came, and under a steady load the worker spent
# its time sending fetches and unpacking a record or two from each: at 12,500 events/s,
# 57 % of a core; with 32 kB (a fetch about every 10 ms at that rate), 48 %, and event
# to state p50 from 72 to 43 ms (one 60 s latency run each). A quiet city's event waits
# out FETCH_MAX_WAIT_MS instead: at most a tenth of a second.
FETCH_MIN_BYTES = 32 * 1024


class FetchCarrier:
    """Record batches of one topic, from one fetch or several, handed to its agent as one
    item, with the messages that stand for them. While it waits in the agent's buffer,
    later fetches join it; `take` marks it taken and copies it in one step (no await in
    between), after which nothing joins."""

    def __init__(self, consumer: Any, generation: int) -> None:
        self._consumer = consumer
        self._batches: list[RecordBatch] = []
        self._standing: list[ConsumerMessage] = []
        self.generation = generation  # a stream skips items of an earlier generation
        self.taken = False
        self.records = 0

    def add(self, batch: RecordBatch, standing: ConsumerMessage) -> None:
        self._batches.append(batch)
        self._standing.append(standing)
        self.records += len(batch)

    def joinable(self, generation: int) -> bool:
        """Whether a fetch may still join: not taken, of this generation, and not full
        (a full carrier makes the next one queue, so Faust's flow control holds fetching
        back instead of one carrier growing with the whole backlog)."""
        return not self.taken and self.generation == generation and self.records < FULL

    def take(self) -> tuple[RecordBatch, ...]:
        self.taken = True
        self._consumer.carrier_taken()
        # Let go of the records at once: the carrier's first standing message has the
        # carrier as its value, a reference cycle, which only the cyclic collector frees,
        # and the worker runs that seldom (pantau/gcpause.py). Kept, every fetch's records
        # piled up until a full collection (770 MB of them in a catch-up).
        batches, self._batches = tuple(self._batches), []
        return batches

    def acknowledge(self) -> None:
        """The carrier is applied: acknowledge every range it stood for."""
        standing, self._standing = self._standing, []  # the cycle again, see take
        for message in standing:
            self._consumer.ack(message)


class BatchConsumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer with a drain loop that delivers whole fetches instead of
    one record at a time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._carriers: dict[str, FetchCarrier] = {}  # the newest carrier of each topic
        self._waiting: list[FetchCarrier] = []  # delivered, not yet taken
        self._taken = asyncio.Event()

    def carrier_taken(self) -> None:
        self._taken.set()

    def records_waiting(self) -> int:
        """Records delivered to the agents of this generation and not yet taken."""
        generation = self.app.consumer_generation_id
        # A stream skips (never takes) a carrier of an earlier generation.
        self._waiting = [c for c in self._waiting if not c.taken and c.generation == generation]
        return sum(carrier.records for carrier in self._waiting)

    async def _until_taken(self, stopped: Callable[[], bool]) -> None:
        """Hold off reading while WAITING_LIMIT records wait for the agents."""
        while not stopped() and self.records_waiting() >= WAITING_LIMIT:
            self._taken.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._taken.wait(), 1.0)

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return BatchConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _seek_back(self) -> None:
        """Seek to the committed offsets; in the middle of a rebalance the partitions may
        be gone already (aiokafka's IllegalStateError), and the next assignment seeks
        its own, as Faust's own loop lets it."""
        try:
            await self.perform_seek()
        except IllegalStateError as error:
            log.info("seek back skipped while partitions move: %s", error)

    async def _drain_messages(self, fetcher: ServiceT) -> None:
        # The structure (stop checks, flow control, read offsets, the error handling)
        # follows faust.transport.consumer.Consumer._drain_messages, which it replaces.
        deliver = self.callback
        consumer_stopped = cast(Service, self)._stopped.is_set
        fetcher_stopped = cast(Service, fetcher)._stopped.is_set
        try:
            while not (consumer_stopped() or fetcher_stopped()):
                await self._until_taken(lambda: consumer_stopped() or fetcher_stopped())
                records, active = await self._wait_next_records(1.0)
                # Let other tasks run between fetches even when records keep coming.
                await asyncio.sleep(0)
                if records is None or self.should_stop or not records:
                    continue
                if not self.flow_active:
                    # A rebalance began while fetching: what was fetched belongs to the
                    # generation that just ended, and is read again after it.
                    await self._seek_back()
                    continue
                generation = self.app.consumer_generation_id
                fresh: dict[str, tuple[FetchCarrier, ConsumerMessage]] = {}
                for tp, fetched in records.items():
                    paused = active is not None and tp not in active
                    if paused and tp not in self._buffered_partitions:
                        continue
                    batch = self._unread(tp, fetched)
                    if not batch:
                        continue
                    self.app.monitor.track_tp_end_offset(tp, self.highwater(tp))
                    standing = self._stand_for(tp, batch)
                    carrier = self._carriers.get(tp.topic)
                    if carrier is None or not carrier.joinable(generation):
                        carrier = self._carriers[tp.topic] = FetchCarrier(self, generation)
                        fresh[tp.topic] = (carrier, standing)
                        self._waiting.append(carrier)
                    carrier.add(batch, standing)
                if self._commit_every is not None and self._n_acked >= self._commit_every:
                    self._n_acked = 0
                    await self.commit()
                for topic, (carrier, message) in fresh.items():
                    if not self.flow_active or self.app.consumer_generation_id != generation:
                        # Never delivered: nothing may join it (it is read again later),
                        # and no agent will take it, so it must not hold reading back.
                        self._carriers.pop(topic, None)
                        self._waiting.remove(carrier)
                        continue
                    message.value = cast(Any, carrier)
                    await self.wait_first(deliver(message), self.suspend_flow.wait())
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise

    def _unread(self, tp: TP, fetched: Sequence[Any]) -> RecordBatch:
        """Faust's drop rule: records below the partition's read offset were delivered
        before (a seek can fetch them again) and are dropped."""
        read = self._read_offset[tp]
        if read is None or fetched[0].offset >= read:
            return tuple(fetched)
        return tuple(record for record in fetched if record.offset >= read)

    def _stand_for(self, tp: TP, batch: RecordBatch) -> ConsumerMessage:
        """The message standing for `batch`: at its last offset, with the offsets before
        it (and any skipped since the last batch) in the partition's gap, so that they are
        committed once it is acknowledged. As Faust's `_add_gap`, without its pause."""
        first, last = batch[0], batch[-1]
        read = self._read_offset[tp]
        if self.app.topics.acks_enabled_for(tp.topic):
            start = first.offset if read is None else min(first.offset, read + 1)
            committed = self._committed_offset[tp]
            if committed is not None:
                start = max(start, committed + 1)
            if start < last.offset:
                gap = self._gap[tp]
                # Batches follow one another, so a new range starts after every range the
                # gap holds and there is nothing to merge; only a range read again after
                # a seek can overlap. (merge_overlaps rebuilds the whole tree: at 2,000
                # events/s, in small fetches, it took half the worker's time.)
                overlaps = bool(gap) and start < gap.end()
                gap.addi(start, last.offset)  # the interval tree's end is exclusive
                if overlaps:
                    gap.merge_overlaps()
        self._read_offset[tp] = last.offset
        return ConsumerMessage(
            last.topic,
            last.partition,
            last.offset,
            cast(float, None if last.timestamp is None else last.timestamp / 1000.0),
            last.timestamp_type,
            None,
            None,
            None,
            None,
            0,
            0,
            tp,
            generation_id=self.app.consumer_generation_id,
        )


class BatchConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """Faust's consumer thread with a shorter wait for fetches the broker has nothing for."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka reads it when it starts (it builds its fetcher then).
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        consumer._fetch_min_bytes = FETCH_MIN_BYTES
        return consumer


class BatchTransport(faust_aiokafka.Transport):
    Consumer: ClassVar[type] = BatchConsumer


class RecordBatches(faust.Schema):  # type: ignore[type-arg]
    """The schema of a topic read through BatchConsumer: the value is the carrier as it
    is, no codec (Pantau decodes each record itself, see pantau/state/decode.py)."""

    def loads_key(self, app: Any, message: Any, **_: Any) -> None:
        return None

    def loads_value(self, app: Any, message: Any, **_: Any) -> FetchCarrier:
        return cast(FetchCarrier, message.value)


def use_batch_transport(app: faust.App) -> None:
    """Make `app` consume through BatchConsumer; call before the app starts."""
    app.transport = BatchTransport(app.conf.broker_consumer, app)
