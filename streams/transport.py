"""Faust's Kafka transport, delivering a whole fetch of a partition as one item.

Faust hands its agents one record at a time: for every record its drain loop awaits the
conductor through `Service.wait_first` (two tasks made and cancelled), builds a Message
and an Event, and the stream sleeps once. That costs about 60 us a record, more than
Pantau's whole decode, fold and Redis write. Here the drain loop delivers, per fetch and
partition, one message whose value is the tuple of aiokafka's records and whose offset is
the last of them; the offsets before it are registered as a gap, so that when the agent
acknowledges the message Faust commits the whole range, and not before.

Everything else stays Faust's: the App, the agents and their streams, the consumer group,
rebalance callbacks, offset commits, flow control, timers and web views. This relies on
faust-streaming internals (the drain loop's shape, `_read_offset`, `_add_gap`,
`_wait_next_records`): the version range is pinned in pyproject.toml, and
tests/unit/streams/test_transport.py fails when an upgrade changes what is replaced here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar, cast

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from faust.types.tuples import ConsumerMessage
from mode import Service, ServiceT

# Records of one partition in one fetch, in offset order, as aiokafka returns them.
RecordBatch = tuple[Any, ...]


class BatchConsumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer with a drain loop that delivers one item per partition
    and fetch instead of one per record."""

    async def _drain_messages(self, fetcher: ServiceT) -> None:
        # The structure (stop checks, flow control, read offsets, the error handling)
        # follows faust.transport.consumer.Consumer._drain_messages, which it replaces.
        deliver = self.callback
        consumer_stopped = cast(Service, self)._stopped.is_set
        fetcher_stopped = cast(Service, fetcher)._stopped.is_set
        try:
            while not (consumer_stopped() or fetcher_stopped()):
                records, active = await self._wait_next_records(1.0)
                # Let other tasks run between fetches even when records keep coming.
                await asyncio.sleep(0)
                if records is None or self.should_stop or not records:
                    continue
                if not self.flow_active:
                    # A rebalance began while fetching: what was fetched belongs to the
                    # generation that just ended, and is read again after it.
                    await self.perform_seek()
                    continue
                generation = self.app.consumer_generation_id
                for tp, fetched in records.items():
                    if not self.flow_active or self.app.consumer_generation_id != generation:
                        break
                    if (
                        active is not None
                        and tp not in active
                        and tp not in self._buffered_partitions
                    ):
                        continue
                    batch = self._unread(tp, fetched)
                    if not batch:
                        continue
                    self.app.monitor.track_tp_end_offset(tp, self.highwater(tp))
                    await self._deliver(tp, batch, deliver)
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

    async def _deliver(self, tp: TP, batch: RecordBatch, deliver: Any) -> None:
        first, last = batch[0], batch[-1]
        read = self._read_offset[tp]
        if self.app.topics.acks_enabled_for(tp.topic):
            # Offsets before this batch that never came (transaction markers, compaction)
            # and the batch's own offsets but its last: acknowledged with the batch.
            start = first.offset if read is None else min(first.offset, read + 1)
            if last.offset > start:
                await self._add_gap(tp, start, last.offset - 1)
        if self._commit_every is not None and self._n_acked >= self._commit_every:
            self._n_acked = 0
            await self.commit()
        message = ConsumerMessage(
            last.topic,
            last.partition,
            last.offset,
            cast(float, None if last.timestamp is None else last.timestamp / 1000.0),
            last.timestamp_type,
            None,
            None,
            cast(Any, batch),
            None,
            0,
            0,
            tp,
            generation_id=self.app.consumer_generation_id,
        )
        await self.wait_first(deliver(message), self.suspend_flow.wait())
        self._read_offset[tp] = last.offset


class BatchTransport(faust_aiokafka.Transport):
    Consumer: ClassVar[type] = BatchConsumer


class RecordBatches(faust.Schema):  # type: ignore[type-arg]
    """The schema of a topic read through BatchConsumer: the value is the batch as it
    is, no codec (Pantau decodes each record itself, see pantau/state/decode.py)."""

    def loads_key(self, app: Any, message: Any, **_: Any) -> None:
        return None

    def loads_value(self, app: Any, message: Any, **_: Any) -> RecordBatch:
        return cast(RecordBatch, message.value)


def use_batch_transport(app: faust.App) -> None:
    """Make `app` consume through BatchConsumer; call before the app starts."""
    app.transport = BatchTransport(app.conf.broker_consumer, app)
