"""Committing batches to Redis exactly once in effect.

For each partition in a batch: one pipelined read (its stored offset and the records the
batch touches), a pure fold in memory, then one atomic script that writes the records,
the aggregate increments and the new offset, guarded by the offset read. Events at or
below the stored offset are skipped; if another worker moved the offset meanwhile (a
rebalance), the guard refuses and the batch is folded again from what is now stored.

A batch may say which offset Redis last acknowledged to its worker for the partition. If
Redis now holds less, it has lost acknowledged writes (killed before its append-only file
reached the disk, or restored from an older copy): the batch is refused rather than
applied over the hole, and the report names the offset Redis holds so the worker can read
the log again from there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis

from pantau.contract.wire import EitherEvent
from pantau.state.batch import fold_batch
from pantau.state.codec import decode_record, encode_record
from pantau.state.keyspace import KeySpace
from pantau.state.records import Record

COMMIT_SCRIPT = (Path(__file__).with_name("commit.lua")).read_text()
MAX_ATTEMPTS = 8


@dataclass
class PartitionBatch:
    topic: str
    partition: int
    last_offset: int  # the batch's highest offset, dead-lettered messages included
    events: list[tuple[int, EitherEvent]] = field(default_factory=list)  # (offset, event)
    # What Redis acknowledged to this worker for the partition before the batch, if known.
    acknowledged: int | None = None


@dataclass
class CommitReport:
    applied: int = 0  # events folded into state
    unchanged: int = 0  # of those, duplicates or superseded: no figure moved
    skipped: int = 0  # at or below the stored offset: applied before
    applied_events: list[EitherEvent] = field(default_factory=list)
    # (topic, partition) -> the offset Redis holds, for partitions refused because Redis
    # holds less than it had acknowledged; nothing of those was applied.
    behind: dict[tuple[str, int], int | None] = field(default_factory=dict)


class StateStore:
    def __init__(self, client: aioredis.Redis, keys: KeySpace, zone: ZoneInfo) -> None:
        self._redis = client
        self._keys = keys
        self._zone = zone
        self._commit = client.register_script(COMMIT_SCRIPT)

    async def stored_offset(self, topic: str, partition: int) -> int | None:
        raw = await self._redis.get(self._keys.offset(topic, partition))
        return None if raw is None else int(raw)

    async def commit(self, batches: list[PartitionBatch]) -> CommitReport:
        report = CommitReport()
        pending = [b for b in batches if b.last_offset >= 0]
        for _ in range(MAX_ATTEMPTS):
            if not pending:
                return report
            snapshots = await self._read(pending)
            # As a context, so that a pipeline cut off by a lost connection is released.
            async with self._redis.pipeline(transaction=False) as writes:
                planned = []
                for batch, (stored, records) in zip(pending, snapshots, strict=True):
                    if _lost_writes(batch, stored):
                        report.behind[(batch.topic, batch.partition)] = stored
                        continue
                    if stored is not None and batch.last_offset <= stored:
                        report.skipped += len(batch.events)
                        continue
                    fresh = [(o, e) for o, e in batch.events if stored is None or o > stored]
                    # fold_batch declares the models only (the Structs have the same attributes)
                    fold = fold_batch(records, [e for _, e in fresh], self._zone)  # type: ignore[misc]
                    await self._queue_commit(writes, batch, stored, fold.changed, fold.aggregates)
                    planned.append((batch, fresh, fold.unchanged, len(batch.events) - len(fresh)))
                outcomes = await writes.execute() if planned else []
            pending = []
            for (batch, fresh, unchanged, skipped), done in zip(planned, outcomes, strict=True):
                if done:
                    report.applied += len(fresh)
                    report.unchanged += unchanged
                    report.skipped += skipped
                    report.applied_events.extend(e for _, e in fresh)
                else:
                    pending.append(batch)
        raise RuntimeError(
            f"could not commit {', '.join(f'{b.topic}[{b.partition}]' for b in pending)}: "
            f"the stored offset kept moving for {MAX_ATTEMPTS} attempts"
        )

    async def _read(
        self, batches: list[PartitionBatch]
    ) -> list[tuple[int | None, dict[str, Record | None]]]:
        entities = []
        async with self._redis.pipeline(transaction=False) as reads:
            for batch in batches:
                ids = sorted({event.entity_id for _, event in batch.events})
                entities.append(ids)
                reads.get(self._keys.offset(batch.topic, batch.partition))
                if ids:
                    reads.mget([self._keys.record(batch.topic, batch.partition, i) for i in ids])
            results = iter(await reads.execute())
        snapshots = []
        for ids in entities:
            raw_offset = next(results)
            raws = next(results) if ids else []
            records = {
                entity: (decode_record(raw) if raw is not None else None)
                for entity, raw in zip(ids, raws, strict=True)
            }
            snapshots.append((None if raw_offset is None else int(raw_offset), records))
        return snapshots

    async def _queue_commit(
        self,
        pipeline: aioredis.client.Pipeline,
        batch: PartitionBatch,
        stored: int | None,
        changed: dict[str, Record],
        aggregates: dict[str, dict[str, int]],
    ) -> None:
        topic, partition = batch.topic, batch.partition
        keys = [self._keys.offset(topic, partition)]
        args: list[str | bytes | int] = [
            "" if stored is None else str(stored),
            str(batch.last_offset),
            len(changed),
        ]
        for entity, record in changed.items():
            keys.append(self._keys.record(topic, partition, entity))
            args.append(encode_record(record))
        increments: list[str | int] = []
        for suffix, fields in aggregates.items():
            keys.append(self._keys.aggregate(topic, partition, suffix))
            for name, amount in fields.items():
                increments += [len(keys), name, amount]
        args.append(len(increments) // 3)
        args.extend(increments)
        notice = {"topic": topic, "partition": partition, "offset": batch.last_offset}
        args += [self._keys.changes_channel, json.dumps(notice)]
        await self._commit(keys=keys, args=args, client=pipeline)


def _lost_writes(batch: PartitionBatch, stored: int | None) -> bool:
    if batch.acknowledged is None:
        return False
    return stored is None or stored < batch.acknowledged
