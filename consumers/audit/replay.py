"""Rebuild the live state from the log with the worker's own rules (decode) and folds
(MemoryState): entirely in memory, never touching the live keys.

Each partition folds on its own, so a large window is shared among processes, a
partition each at a time; their states, trails and counts are put together in partition
order, which gives what one process replaying every partition in turn gives. The cyclic
garbage collector is held off while folding (pantau/gcpause.py).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from aiokafka import TopicPartition

from consumers.audit.replay_part import run_part
from pantau.contract.city import CityProfile
from pantau.contract.events import AnyEvent
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS, Partition
from pantau.contract.wire import WireEvent
from pantau.gcpause import gc_paused
from pantau.logreader import LogReader, partitions_of
from pantau.state.batch import fold_events
from pantau.state.contributions import sums
from pantau.state.decode import Rejection, decode
from pantau.state.memory import MemoryState
from pantau.state.records import Record
from pantau.state.service_fields import ServiceClock

TRAIL = 8  # the last events of each entity kept to explain a difference
Progress = Callable[[int], None]
Step = tuple[int, int, str]  # partition, offset, event id: a Trace while replaying
# Windows this large are shared among processes; below it, starting them costs more.
PARALLEL_FROM = 100_000
_ENCODE = msgspec.msgpack.Encoder().encode
_RECORDS = msgspec.msgpack.Decoder(dict[str, Record])
_SUMS = msgspec.msgpack.Decoder(dict[str, dict[str, int]])
_FLAT_TRAIL = msgspec.msgpack.Decoder(tuple[list[str], list[int], list[int], list[str]])


@dataclass(frozen=True)
class Window:
    """Per partition, the offsets to read: [start, stop)."""

    start: dict[Partition, int]
    stop: dict[Partition, int]

    @property
    def size(self) -> int:
        return sum(max(0, self.stop[s] - self.start.get(s, 0)) for s in self.stop)

    def shard_size(self, shard: Partition) -> int:
        return max(0, self.stop[shard] - self.start.get(shard, 0))


@dataclass(frozen=True)
class Trace:
    partition: int
    offset: int
    event_id: str


class Trail(Mapping[tuple[str, str], list[Trace]]):
    """(topic, entity) -> the last TRAIL events of that entity, oldest first.

    Kept per partition as plain tuples while replaying (an event costs a tuple, not an
    object); read, an entity's partitions are taken in order, as one replay reads them.
    """

    def __init__(self) -> None:
        self.shards: dict[Partition, dict[str, deque[Step]]] = {}

    def shard(self, shard: Partition) -> dict[str, deque[Step]]:
        return self.shards.setdefault(shard, {})

    def __getitem__(self, key: tuple[str, str]) -> list[Trace]:
        topic, entity = key
        steps: deque[Step] = deque(maxlen=TRAIL)
        for shard in sorted(s for s in self.shards if s[0] == topic):
            steps.extend(self.shards[shard].get(entity, ()))
        if not steps:
            raise KeyError(key)
        return [Trace(*step) for step in steps]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        seen: set[tuple[str, str]] = set()
        for (topic, _), entities in sorted(self.shards.items()):
            for entity in entities:
                if (topic, entity) not in seen:
                    seen.add((topic, entity))
                    yield topic, entity

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(repr=False)
class Replay:
    state: MemoryState
    window: Window
    events: int = 0
    rejected: int = 0
    seconds: float = 0.0
    trail: Trail = field(default_factory=Trail)

    @property
    def rate(self) -> float:
        return (self.events + self.rejected) / self.seconds if self.seconds else 0.0

    def __repr__(self) -> str:
        # Short: asyncio may put a finished task's result in a message (3.11 does when
        # asyncio.run gives back the SIGINT handler), and the whole state is a lot of text.
        return f"Replay(events={self.events}, rejected={self.rejected}, seconds={self.seconds})"


async def window_for(
    reader: LogReader,
    since: datetime | None = None,
    until: datetime | None = None,
    offsets: dict[Partition, int] | None = None,
) -> Window:
    """From `since` (or the log's start) to `until` (or now), or exactly to a snapshot's
    applied offsets (each partition up to and including its offset)."""
    tps = partitions_of(*EVENT_TOPICS.values())
    bounds = await reader.bounds(tps)
    start = {Partition(*tp): bounds[tp][0] for tp in tps}
    stop = {Partition(*tp): bounds[tp][1] for tp in tps}
    if since is not None:
        start = {Partition(*tp): o for tp, o in (await reader.offsets_at(tps, since)).items()}
    if offsets is not None:
        stop = {shard: offsets.get(shard, -1) + 1 for shard in stop}
    elif until is not None:
        stop = {Partition(*tp): o for tp, o in (await reader.offsets_at(tps, until)).items()}
    return Window(start, stop)


async def replay(
    settings: Settings,
    profile: CityProfile,
    window: Window,
    progress: Progress | None = None,
    *,
    processes: int | None = None,
) -> Replay:
    """The window's events folded as the worker folds them. `processes`: how many share
    the partitions (default: one per core for a window of PARALLEL_FROM events or more,
    else this one); the result is the same either way."""
    result = Replay(MemoryState(profile.timezone, ServiceClock.of(profile)), window)
    shards = [shard for shard in sorted(window.stop) if window.shard_size(shard) > 0]
    if processes is None:
        processes = (os.cpu_count() or 1) if window.size >= PARALLEL_FROM else 1
    processes = min(processes, len(shards))
    began = time.perf_counter()
    with gc_paused():  # also while the parts' folds are unpickled here
        if processes <= 1:
            async with LogReader(settings) as reader:
                for shard in shards:
                    part = await _fold_shard(reader, profile, window, shard, progress)
                    _merge(result, part)
        else:
            parts = await _fold_in_processes(settings, profile, window, shards, processes, progress)
            for shard in shards:  # in partition order, as one process folds them
                _merge(result, parts[shard])
    result.seconds = time.perf_counter() - began
    return result


@dataclass(repr=False)
class ShardFold:
    """One partition's share of a replay: what it adds to the state, trail and counts."""

    shard: Partition
    # The shard's entries of MemoryState.records and .aggregates; None when nothing was
    # folded (no batch was read).
    records: dict[str, Record] | None = None
    aggregates: dict[str, Counter[str]] | None = None
    trail: dict[str, deque[Step]] = field(default_factory=dict)
    events: int = 0
    rejected: int = 0

    def __repr__(self) -> str:  # short, as Replay's
        return f"ShardFold({self.shard}, events={self.events}, rejected={self.rejected})"

    # Sent between processes as msgpack (pickle costs several times more for records, and
    # the parent unpickles every part in turn), the trail flat.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        trail = state.pop("trail")
        state["trail"] = _ENCODE(
            (
                list(trail),
                [len(steps) for steps in trail.values()],
                [offset for steps in trail.values() for _, offset, _ in steps],
                [event_id for steps in trail.values() for _, _, event_id in steps],
            )
        )
        if self.records is not None:
            state["records"] = _ENCODE(self.records)
            state["aggregates"] = _ENCODE(self.aggregates)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        entities, lengths, offsets, event_ids = _FLAT_TRAIL.decode(state.pop("trail"))
        partition = state["shard"][1]
        trail: dict[str, deque[Step]] = {}
        at = 0
        for entity, length in zip(entities, lengths, strict=True):
            steps = zip(offsets[at : at + length], event_ids[at : at + length], strict=True)
            trail[entity] = deque(((partition, o, e) for o, e in steps), maxlen=TRAIL)
            at += length
        if state["records"] is not None:
            state["records"] = _RECORDS.decode(state["records"])
            sums = _SUMS.decode(state["aggregates"])
            state["aggregates"] = {suffix: Counter(fields) for suffix, fields in sums.items()}
        self.__dict__.update(state, trail=trail)


async def _fold_shard(
    reader: LogReader,
    profile: CityProfile,
    window: Window,
    shard: Partition,
    progress: Progress | None = None,
) -> ShardFold:
    """The shard's records folded event by event with the worker's folds; its aggregates
    then summed once from the final records (contributions.sums), rather than changed at
    every event as the worker does: the same figures by definition, a third of the cost,
    and a replay that would catch a flaw in the worker's running deltas."""
    topic, partition = shard
    kind = next(k for k, spec in EVENT_TOPICS.items() if spec.name == topic)
    records: dict[str, Record | None] = {}
    fold = ShardFold(shard)
    trail = fold.trail
    read_any = False
    tp = TopicPartition(topic, partition)
    async for batch in reader.read(tp, window.start.get(shard, 0), window.stop[shard]):
        read_any = True
        events: list[WireEvent | AnyEvent] = []
        for message in batch:
            outcome = decode(message.value, kind, profile)
            if isinstance(outcome, Rejection):
                continue
            events.append(outcome)
            entity = outcome.entity_id
            steps = trail.get(entity)
            if steps is None:
                steps = trail[entity] = deque(maxlen=TRAIL)
            steps.append((partition, message.offset, outcome.event_id))
        fold.rejected += len(batch) - len(events)
        fold_events(records, events)
        fold.events += len(events)
        if progress is not None:
            progress(len(batch))
    if read_any:
        folded = {entity: record for entity, record in records.items() if record is not None}
        fold.records = folded
        totals = sums(folded.values(), profile.timezone, ServiceClock.of(profile))
        fold.aggregates = {suffix: Counter(fields) for suffix, fields in totals.items()}
    return fold


def _merge(result: Replay, fold: ShardFold) -> None:
    result.events += fold.events
    result.rejected += fold.rejected
    if fold.trail:
        result.trail.shards[fold.shard] = fold.trail
    if fold.records is not None:
        result.state.records[fold.shard] = fold.records
        result.state.aggregates[fold.shard] = fold.aggregates or {}


async def _fold_in_processes(
    settings: Settings,
    profile: CityProfile,
    window: Window,
    shards: list[Partition],
    processes: int,
    progress: Progress | None,
) -> dict[Partition, ShardFold]:
    """The shards shared among `processes`: this one, which has everything imported and
    needs no fold sent back, and fresh interpreters for the rest
    (consumers.audit.replay_part), each sending back a ShardFold per shard."""
    parts: dict[Partition, ShardFold] = {}

    def received(fold: ShardFold) -> None:
        parts[fold.shard] = fold
        if progress is not None:
            progress(fold.events + fold.rejected)

    async def fold_here(share: list[Partition]) -> None:
        async with LogReader(settings) as reader:
            for shard in share:
                parts[shard] = await _fold_shard(reader, profile, window, shard, progress)

    here, *elsewhere = _shares(window, shards, processes)
    # Started first: an interpreter takes a second or so to begin folding.
    runs = [
        asyncio.create_task(run_part((settings, profile, window, share), received))
        for share in elsewhere
    ]
    runs.append(asyncio.create_task(fold_here(here)))
    try:
        await asyncio.gather(*runs)
    finally:
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
    return parts


def _shares(window: Window, shards: list[Partition], processes: int) -> list[list[Partition]]:
    """The shards in at most `processes` shares of about equal size: the largest first,
    each to the share with the fewest events so far."""
    loads = [0] * processes
    shares: list[list[Partition]] = [[] for _ in range(processes)]
    for shard in sorted(shards, key=window.shard_size, reverse=True):
        least = loads.index(min(loads))
        shares[least].append(shard)
        loads[least] += window.shard_size(shard)
    return [share for share in shares if share]


def fold_shards(
    settings: Settings,
    profile: CityProfile,
    window: Window,
    shards: list[Partition],
    send: Callable[[ShardFold], None],
) -> None:
    """What a replay_part process does: read and fold its shards one after another with
    one reader, and `send` each fold when it is done."""

    async def fold() -> None:
        async with LogReader(settings) as reader:
            for shard in shards:
                with gc_paused():
                    folded = await _fold_shard(reader, profile, window, shard)
                send(folded)

    asyncio.run(fold())
