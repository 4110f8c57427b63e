"""The pure folds' cost per event, in process: no Kafka, no Redis.

    python -m bench.folds [--events 100000] [--seed 2023] [--poll 5000] [--repeat 3]
                          [--compare] [--wire] [--profile FILE]

The benchmark's workload is decoded once, then fed as the worker sees it: polls of
`--poll` messages, each split per (kind, partition) with the entity id hashed over six
partitions. Each partition batch is folded with `fold_batch` from the records held so
far, and every changed record is encoded for Redis. Two runs: from an empty state, and
from a warm one (the workload's first half folded beforehand, its second half timed).
Decoding the touched records (what the store reads back before each fold) is timed
apart. Prints CPU microseconds per event, the best of `--repeat` runs.

`--wire` also folds the same events as the worker's decoder gives them (msgspec Structs,
pantau/contract/wire.py) rather than pydantic's models. `--compare` also times the first folds and
codec, kept as the reference of the unit tests (tests/unit/state/reference.py), their runs
taking turns with the others': on a shared machine, figures from separate processes
minutes apart compare badly.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from bench.workload import write_workload
from pantau.context import Context
from pantau.contract.events import EventKind, parse_event
from pantau.state.batch import fold_batch
from pantau.state.codec import decode_record, encode_record
from pantau.state.decode import decode

PARTITIONS = 6
Shard = tuple[str, int]
Poll = list[tuple[Shard, list[Any]]]
State = dict[Shard, dict[str, Any]]  # (kind, partition) -> entity -> record, or its bytes


class Implementation(NamedTuple):
    fold_batch: Callable[..., Any]
    encode_record: Callable[[Any], bytes]
    decode_record: Callable[[bytes], Any]


CURRENT = Implementation(fold_batch, encode_record, decode_record)


class Variant(NamedTuple):
    name: str
    code: Implementation
    events: list[Any]  # pydantic's models, or the decoder's Structs


@dataclass
class Timing:
    events: int = 0
    fold: float = 0.0  # fold_batch: records and aggregate deltas
    encode: float = 0.0  # encode_record of each changed record
    decode: float = 0.0  # decode_record of each touched record held before

    def total(self) -> float:
        return self.fold + self.encode

    def line(self, name: str) -> str:
        per = 1e6 / self.events
        return (
            f"{name:<16} {self.events:>7} events  fold {self.fold * per:6.2f}  "
            f"encode {self.encode * per:5.2f}  fold+encode {(self.fold + self.encode) * per:6.2f}"
            f"  us/event   (decode {self.decode * per:5.2f})"
        )


def polls(events: list[Any], size: int) -> Iterator[Poll]:
    """Polls of `size` messages, each split per (kind, partition) in arrival order."""
    for start in range(0, len(events), size):
        batches: dict[Shard, list[Any]] = {}
        for event in events[start : start + size]:
            partition = zlib.crc32(event.entity_id.encode()) % PARTITIONS
            batches.setdefault((event.kind, partition), []).append(event)
        yield list(batches.items())


def run(
    state: State, raw: State, feed: list[Poll], zone: ZoneInfo, code: Implementation = CURRENT
) -> Timing:
    timing = Timing()
    # CPU time of this process: the machine is shared, wall time would count waiting.
    clock = time.process_time
    for poll in feed:
        for shard, events in poll:
            known = state.setdefault(shard, {})
            stored = raw.setdefault(shard, {})
            timing.events += len(events)
            touched = {e.entity_id for e in events}
            started = clock()
            for entity in touched:
                if entity in stored:
                    code.decode_record(stored[entity])
            decoded = clock()
            before = {e: known.get(e) for e in touched}
            fold = code.fold_batch(before, events, zone)
            folded = clock()
            encoded = [code.encode_record(record) for record in fold.changed.values()]
            done = clock()
            timing.decode += decoded - started
            timing.fold += folded - decoded
            timing.encode += done - folded
            known.update(fold.changed)
            stored.update(zip(fold.changed, encoded, strict=True))
    return timing


def _copy(state: State) -> State:
    return {shard: dict(records) for shard, records in state.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--poll", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is shown")
    parser.add_argument("--compare", action="store_true", help="also time the first folds")
    parser.add_argument("--workload", type=Path, default=Path(".pantau-bench/folds.jsonl"))
    parser.add_argument("--profile", type=Path, help="write a cProfile of the timed runs")
    parser.add_argument("--wire", action="store_true", help="also fold the decoder's Structs")
    args = parser.parse_args()
    profile = Context().profile  # PANTAU_CITY_PROFILE, as every command
    zone = profile.timezone
    path = write_workload(args.workload, profile, 2 * args.events, args.seed)
    with path.open("rb") as lines:
        raw = lines.read().splitlines()
    events: list[Any] = [parse_event(line) for line in raw]
    variants = [Variant("current", CURRENT, events)]
    if args.wire:
        wire = [
            decode(line, EventKind(e.kind), profile) for line, e in zip(raw, events, strict=True)
        ]
        variants.append(Variant("current, wire", CURRENT, wire))
    if args.compare:
        from tests.unit.state import reference  # a test module: only when asked for

        first_code = Implementation(reference.fold_batch, reference.encode_record,
                                    reference.decode_record)  # fmt: skip
        variants.append(Variant("first (before)", first_code, events))
    del raw
    feeds = {
        v.name: (list(polls(v.events[: args.events], args.poll)),
                 list(polls(v.events[args.events :], args.poll)))
        for v in variants
    }  # fmt: skip
    # The warm states: the first half folded, untimed.
    warm: dict[str, tuple[State, State]] = {}
    for v in variants:
        warm[v.name] = ({}, {})
        run(*warm[v.name], feeds[v.name][0], zone, v.code)
    gc.collect()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    # On a shared machine a run can take half as long again as the next one: the best of
    # a few says what the code costs.
    runs: dict[str, list[tuple[Timing, Timing]]] = {v.name: [] for v in variants}
    for _ in range(args.repeat):
        for v in variants:
            records, stored = warm[v.name]
            first, second = feeds[v.name]
            cold = run({}, {}, first, zone, v.code)
            hot = run(_copy(records), _copy(stored), second, zone, v.code)
            runs[v.name].append((cold, hot))
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    for name, timings in runs.items():
        print(min((cold for cold, _ in timings), key=Timing.total).line(f"{name}, empty"))
        print(min((hot for _, hot in timings), key=Timing.total).line(f"{name}, warm"))


if __name__ == "__main__":
    main()
