"""The pure folds' cost per event, in process: no Kafka, no Redis.

    python -m bench.folds [--events 100000] [--seed 2023] [--poll 5000] [--repeat 3]
                          [--compare] [--profile FILE]

The benchmark's workload is decoded once, then fed as the worker sees it: polls of
`--poll` messages, each split per (kind, partition) with the entity id hashed over six
partitions. Each partition batch is folded with `fold_batch` from the records held so
far, and every changed record is encoded for Redis. Two runs: from an empty state, and
from a warm one (the workload's first half folded beforehand, its second half timed).
Decoding the touched records (what the store reads back before each fold) is timed
apart. Prints CPU microseconds per event, the best of `--repeat` runs.

`--compare` also times the first folds and codec, kept as the reference of the unit tests
(tests/unit/state/reference.py), their runs taking turns with the others': on a shared
machine, figures from separate processes minutes apart compare badly.
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
from pantau.contract.city import load_city_profile
from pantau.contract.events import AnyEvent, parse_event
from pantau.state.batch import fold_batch
from pantau.state.codec import decode_record, encode_record

PARTITIONS = 6
Shard = tuple[str, int]
Poll = list[tuple[Shard, list[AnyEvent]]]
State = dict[Shard, dict[str, Any]]  # (kind, partition) -> entity -> record, or its bytes


class Implementation(NamedTuple):
    name: str
    fold_batch: Callable[..., Any]
    encode_record: Callable[[Any], bytes]
    decode_record: Callable[[bytes], Any]


CURRENT = Implementation("", fold_batch, encode_record, decode_record)


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


def polls(events: list[AnyEvent], size: int) -> Iterator[Poll]:
    """Polls of `size` messages, each split per (kind, partition) in arrival order."""
    for start in range(0, len(events), size):
        batches: dict[Shard, list[AnyEvent]] = {}
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
    args = parser.parse_args()
    codes = [CURRENT._replace(name="current")]
    if args.compare:
        from tests.unit.state import reference  # a test module: only when asked for

        codes.append(Implementation("first (before)", reference.fold_batch,
                                    reference.encode_record, reference.decode_record))  # fmt: skip
    profile = load_city_profile("mojokerto")
    zone = profile.timezone
    path = write_workload(args.workload, profile, 2 * args.events, args.seed)
    with path.open("rb") as lines:
        events = [parse_event(line) for line in lines]
    first = list(polls(events[: args.events], args.poll))
    second = list(polls(events[args.events :], args.poll))
    # The warm states: the first half folded, untimed.
    warm: dict[str, tuple[State, State]] = {}
    for code in codes:
        warm[code.name] = ({}, {})
        run(*warm[code.name], first, zone, code)
    gc.collect()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    # On a shared machine a run can take half as long again as the next one: the best of
    # a few says what the code costs.
    runs: dict[str, list[tuple[Timing, Timing]]] = {code.name: [] for code in codes}
    for _ in range(args.repeat):
        for code in codes:
            records, raw = warm[code.name]
            cold = run({}, {}, first, zone, code)
            hot = run(_copy(records), _copy(raw), second, zone, code)
            runs[code.name].append((cold, hot))
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    for name, timings in runs.items():
        print(min((cold for cold, _ in timings), key=Timing.total).line(f"{name}, empty"))
        print(min((hot for _, hot in timings), key=Timing.total).line(f"{name}, warm"))


if __name__ == "__main__":
    main()
