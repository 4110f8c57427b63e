"""Committing batches to Redis exactly once in effect.

For each partition in a batch: one pipelined read (its stored offset and the records the
batch touches), a pure fold in memory, then one atomic script that writes the records,
the aggregate increments and the new offset, guarded by the offset read. Each script call
is sent as soon as its partition is folded (pantau/state/script_calls.py). Events at or
below the stored offset are skipped; if another worker moved the offset meanwhile (a
rebalance), the guard refuses and the batch is folded again from what is now stored.

The records this worker committed are kept in a bounded cache (pantau/state/recordcache.py)
with the offset Redis held after them: while the script's guard finds Redis still at that
offset, a batch needs no read at all, one round trip in all. The script is called by its
digest, and loaded only when Redis answers that it does not know it.

A batch may say which offset Redis last acknowledged to its worker for the partition. If
Redis now holds less, it has lost acknowledged writes (killed before its append-only file
reached the disk, or restored from an older copy): the batch is refused rather than
applied over the hole, and the report names the offset Redis holds so the worker can read
the log again from there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis

from pantau.contract.keys import KeySpace
from pantau.contract.topics import Partition
from pantau.contract.wire import EitherEvent
from pantau.state.batch import FoldResult, fold_batch
from pantau.state.codec import decode_record, encode_record
from pantau.state.recordcache import CachedPartition, RecordCache
from pantau.state.records import Record
from pantau.state.script_calls import ScriptCalls
from pantau.state.service_fields import ServiceClock

COMMIT_SCRIPT = (Path(__file__).with_name("commit.lua")).read_text()
COMMIT_SHA = hashlib.sha1(COMMIT_SCRIPT.encode()).hexdigest()
MAX_ATTEMPTS = 8
# Records kept per worker process, about 40 MB of complaint records: the records touched
# again within a few batches, which is what the cache saves reads of. A bound this size
# is reached in the first seconds of a catch-up, after which the worker's memory stays
# flat; at 100,000 it kept growing for most of a million events.
CACHED_RECORDS = 25_000


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
    behind: dict[Partition, int | None] = field(default_factory=dict)


class StateStore:
    def __init__(
        self,
        client: aioredis.Redis,
        keys: KeySpace,
        zone: ZoneInfo,
        service: ServiceClock,
        cached_records: int = CACHED_RECORDS,
    ) -> None:
        self._redis = client
        self._keys = keys
        self._zone = zone
        self._service = service
        self._cache = RecordCache(cached_records)

    async def stored_offset(self, topic: str, partition: int) -> int | None:
        raw = await self._redis.get(self._keys.offset(topic, partition))
        return None if raw is None else int(raw)

    def forget(self, topic: str, partition: int) -> None:
        """Drop what is cached of a partition this worker no longer owns."""
        self._cache.forget(Partition(topic, partition))

    async def commit(self, batches: list[PartitionBatch]) -> CommitReport:
        report = CommitReport()
        pending = [b for b in batches if b.last_offset >= 0]
        for _ in range(MAX_ATTEMPTS):
            if not pending:
                return report
            snapshots = await self._read(pending)
            planned = []
            async with ScriptCalls(self._redis, COMMIT_SCRIPT, COMMIT_SHA) as commits:
                for batch, (stored, records) in zip(pending, snapshots, strict=True):
                    folded = self._fold(batch, stored, records, report)
                    if folded is None:
                        continue
                    fresh, fold = folded
                    # Sent now, so that Redis applies it while the next partition is folded.
                    await commits.send(
                        self._commit_call(batch, stored, fold.changed, fold.aggregates)
                    )
                    planned.append((batch, fresh, fold, len(batch.events) - len(fresh)))
                outcomes = await commits.replies()
            pending = []
            failure: Exception | None = None
            for (batch, fresh, fold, skipped), outcome in zip(planned, outcomes, strict=True):
                partition = Partition(batch.topic, batch.partition)
                if isinstance(outcome, Exception):
                    self._cache.forget(partition)  # applied or not: Redis is read again
                    failure = failure or outcome
                elif outcome:
                    self._cache.committed(partition, batch.last_offset, fold.changed)
                    report.applied += len(fresh)
                    report.unchanged += fold.unchanged
                    report.skipped += skipped
                    report.applied_events.extend(e for _, e in fresh)
                else:
                    # Redis is not where this worker left it: read it again.
                    self._cache.forget(partition)
                    pending.append(batch)
            if failure is not None:
                raise failure
        raise RuntimeError(
            f"could not commit {', '.join(f'{b.topic}[{b.partition}]' for b in pending)}: "
            f"the stored offset kept moving for {MAX_ATTEMPTS} attempts"
        )

    def _fold(
        self,
        batch: PartitionBatch,
        stored: int | None,
        records: dict[str, Record | None],
        report: CommitReport,
    ) -> tuple[list[tuple[int, EitherEvent]], FoldResult] | None:
        """The batch's events past the stored offset, folded; None when there is nothing
        to commit (counted in `report`)."""
        partition = Partition(batch.topic, batch.partition)
        if _lost_writes(batch, stored):
            self._cache.forget(partition)
            report.behind[partition] = stored
            return None
        if stored is not None and batch.last_offset <= stored:
            report.skipped += len(batch.events)
            return None
        fresh = batch.events
        if stored is not None and fresh and fresh[0][0] <= stored:
            fresh = [(o, e) for o, e in fresh if o > stored]
        # fold_batch declares the models only (the Structs have the same attributes)
        return fresh, fold_batch(records, [e for _, e in fresh], self._zone, self._service)

    async def _read(
        self, batches: list[PartitionBatch]
    ) -> list[tuple[int | None, dict[str, Record | None]]]:
        """Each batch's stored offset and the records it touches: from the cache where it
        holds them, else from Redis (one pipelined round trip for all that is missing)."""
        plans: list[tuple[CachedPartition | None, list[str], dict[str, Record | None]]] = []
        reads = self._redis.pipeline(transaction=False)
        for batch in batches:
            partition = Partition(batch.topic, batch.partition)
            cached = self._cache.get(partition)
            if cached is not None and batch.acknowledged not in (None, cached.offset):
                cached = None  # the worker knows of a write the cache missed
            known: dict[str, Record | None] = {}
            missing: list[str] = []
            entities = {event.entity_id for _, event in batch.events}
            if cached is None:
                reads.get(self._keys.offset(*partition))
                missing = sorted(entities)
            else:
                records = cached.records
                for entity in entities:
                    record = records.get(entity)
                    if record is not None or cached.complete:
                        known[entity] = record
                    else:
                        missing.append(entity)
            if missing:
                shard = self._keys.shard(*partition)
                reads.mget([f"{shard}:rec:{entity}" for entity in missing])
            plans.append((cached, missing, known))
        async with reads:  # released even when a lost connection cuts it off
            results = iter(await reads.execute() if reads.command_stack else [])
        snapshots = []
        for batch, (cached, missing, known) in zip(batches, plans, strict=True):
            if cached is None:
                raw_offset = next(results)
                stored = None if raw_offset is None else int(raw_offset)
                cached = self._cache.start(Partition(batch.topic, batch.partition), stored)
            raws = next(results) if missing else []
            for entity, raw in zip(missing, raws, strict=True):
                known[entity] = decode_record(raw) if raw is not None else None
            snapshots.append((cached.offset, known))
        return snapshots

    def _commit_call(
        self,
        batch: PartitionBatch,
        stored: int | None,
        changed: dict[str, Record],
        aggregates: dict[str, dict[str, int]],
    ) -> list[Any]:
        """The EVALSHA arguments of one partition's commit (see commit.lua)."""
        shard = self._keys.shard(batch.topic, batch.partition)
        keys: list[str] = [f"{shard}:offset"]
        values: list[str | bytes | int] = [
            "" if stored is None else str(stored),
            str(batch.last_offset),
            len(changed),
        ]
        for entity, record in changed.items():
            keys.append(f"{shard}:rec:{entity}")
            values.append(encode_record(record))
        lines: list[str] = []
        for suffix, fields in aggregates.items():
            keys.append(f"{shard}:agg:{suffix}")
            index = len(keys)
            # Field names are slugs, days, minutes and statuses: never a tab or newline.
            lines.extend(f"{index}\t{name}\t{amount}\n" for name, amount in fields.items())
        values.append("".join(lines))
        notice = {"topic": batch.topic, "partition": batch.partition, "offset": batch.last_offset}
        values += [self._keys.changes_channel, json.dumps(notice)]
        return [len(keys), *keys, *values]


def _lost_writes(batch: PartitionBatch, stored: int | None) -> bool:
    if batch.acknowledged is None:
        return False
    return stored is None or stored < batch.acknowledged
