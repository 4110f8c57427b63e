"""Rebuild the live state from the log with the worker's own rules (decode) and folds
(MemoryState): entirely in memory, never touching the live keys."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiokafka import TopicPartition

from pantau.contract.city import CityProfile
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS
from pantau.contract.wire import WireEvent
from pantau.logreader import LogReader, partitions_of
from pantau.state.decode import Rejection, decode
from pantau.state.memory import MemoryState

TRAIL = 8  # the last events of each entity kept to explain a difference
Progress = Callable[[int], None]
Shard = tuple[str, int]


@dataclass(frozen=True)
class Window:
    """Per partition, the offsets to read: [start, stop)."""

    start: dict[Shard, int]
    stop: dict[Shard, int]

    @property
    def size(self) -> int:
        return sum(max(0, self.stop[s] - self.start.get(s, 0)) for s in self.stop)


@dataclass(frozen=True)
class Trace:
    partition: int
    offset: int
    event_id: str


@dataclass
class Replay:
    state: MemoryState
    window: Window
    events: int = 0
    rejected: int = 0
    seconds: float = 0.0
    trail: dict[tuple[str, str], deque[Trace]] = field(
        default_factory=lambda: defaultdict(lambda: deque(maxlen=TRAIL))
    )

    @property
    def rate(self) -> float:
        return (self.events + self.rejected) / self.seconds if self.seconds else 0.0


async def window_for(
    reader: LogReader,
    since: datetime | None = None,
    until: datetime | None = None,
    offsets: dict[Shard, int] | None = None,
) -> Window:
    """From `since` (or the log's start) to `until` (or now), or exactly to a snapshot's
    applied offsets (each partition up to and including its offset)."""
    tps = partitions_of(*EVENT_TOPICS.values())
    bounds = await reader.bounds(tps)
    start = {(tp.topic, tp.partition): bounds[tp][0] for tp in tps}
    stop = {(tp.topic, tp.partition): bounds[tp][1] for tp in tps}
    if since is not None:
        start = {_shard(tp): o for tp, o in (await reader.offsets_at(tps, since)).items()}
    if offsets is not None:
        stop = {shard: offsets.get(shard, -1) + 1 for shard in stop}
    elif until is not None:
        stop = {_shard(tp): o for tp, o in (await reader.offsets_at(tps, until)).items()}
    return Window(start, stop)


async def replay(
    settings: Settings, profile: CityProfile, window: Window, progress: Progress | None = None
) -> Replay:
    kinds = {spec.name: kind for kind, spec in EVENT_TOPICS.items()}
    result = Replay(MemoryState(profile.timezone), window)
    began = time.perf_counter()
    async with LogReader(settings) as reader:
        for (topic, partition), stop in sorted(window.stop.items()):
            tp = TopicPartition(topic, partition)
            async for records in reader.read(tp, window.start.get((topic, partition), 0), stop):
                events: list[WireEvent] = []
                for record in records:
                    outcome = decode(record.value, kinds[topic], profile)
                    if isinstance(outcome, Rejection):
                        result.rejected += 1
                        continue
                    events.append(outcome)
                    result.trail[(topic, outcome.entity_id)].append(
                        Trace(partition, record.offset, outcome.event_id)
                    )
                result.state.apply(topic, partition, events)
                result.events += len(events)
                if progress is not None:
                    progress(len(records))
    result.seconds = time.perf_counter() - began
    return result


def _shard(tp: TopicPartition) -> Shard:
    return (tp.topic, tp.partition)
