"""The verifiable log's cost, in process: no Kafka, no disk unless asked.

    python -m bench.tlog [--events 1000000] [--pool 20000] [--tiles DIR] [--profile FILE]

A pool of the simulator's events, encoded as producers send them, is cycled to
`--events` records (the per-record work does not depend on a record being new). Timed:
each record's entry (canonical JSON, its description blinded) and leaf hash, the tree
and its full tiles, then the partial tiles and one signed checkpoint: from the bytes in
the log to a signed root. Before that, the cost per record of the hash chain's canonical
JSON, of the log's, of the blinded entry and of the leaf hash alone, each the best of
several runs over the pool. Prints records per second of the clock and per second of
this process's processor time (what other work on the machine does not take away).

`pantau dev bench` measures the same from the Kafka topics instead (`log_from_kafka`):
the whole workload read with the audit's reader, from the first fetch to the signed
root, tiles on disk.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from consumers.audit.chain import canonical as chain_canonical
from pantau.contract.events import encode_event
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS
from pantau.logreader import LogReader, partitions_of
from pantau.tlog.blinding import derived_salts
from pantau.tlog.canonical import canonical
from pantau.tlog.checkpoint import Checkpoint, sign_checkpoint
from pantau.tlog.keys import generate_key
from pantau.tlog.leaf import Leaves
from pantau.tlog.signers import NoteSigner
from pantau.tlog.store import DirectoryStore, MemoryStore, TileStore
from pantau.tlog.writer import TreeWriter

ORIGIN = "mojokerto.example/pantau-bench"
BATCH = 10_000  # records per extend: the size of a checkpointer's poll
SLICE = 500


def event_pool(count: int, seed: int = 7) -> list[bytes]:
    from pantau.context import Context
    from producers.simulator.feed import SimulationConfig, city_feed

    profile = Context().profile
    start = datetime(2026, 1, 5, tzinfo=profile.timezone)
    feed = city_feed(profile, SimulationConfig(start, seed=seed, complaints_per_day=20_000))
    return [encode_event(event) for event in itertools.islice(feed, count)]


def per_record(
    ways: dict[str, Callable[[bytes], object]], pool: list[bytes], repeats: int = 9
) -> dict[str, float]:
    """Seconds per record for each way: each slice of the pool timed `repeats` times, the
    ways in turn, its fastest time kept (on a shared machine, the figure least moved by
    the other work)."""
    total = dict.fromkeys(ways, 0.0)
    for at in range(0, len(pool), SLICE):
        chunk = pool[at : at + SLICE]
        best = dict.fromkeys(ways, float("inf"))
        for _ in range(repeats):
            for name, way in ways.items():
                began = time.perf_counter()
                for raw in chunk:
                    way(raw)
                best[name] = min(best[name], time.perf_counter() - began)
        for name in ways:
            total[name] += best[name]
    return {name: seconds / len(pool) for name, seconds in total.items()}


@dataclass(frozen=True)
class Throughput:
    events: int
    seconds: float
    leaves_seconds: float  # entries and leaf hashes
    tree_seconds: float  # the tree and its full tiles
    checkpoint_seconds: float  # partial tiles and the signature
    cpu_seconds: float  # this process's own: on a shared machine, what it cost it
    root: bytes

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.events / self.cpu_seconds


class _TimedLog:
    """A log built batch by batch, each step timed: leaves, then tree and tiles, then the
    partial tiles and one signed checkpoint."""

    def __init__(self, store: TileStore) -> None:
        self.leaves = Leaves(derived_salts(bytes(32)))
        self.signer = NoteSigner(generate_key(ORIGIN))
        self.store = store
        self.writer = TreeWriter(store)
        self.events = 0
        self.hashing = self.tree = 0.0
        self.began, self.cpu_began = time.perf_counter(), time.process_time()

    def add(self, records: list[bytes]) -> None:
        at = time.perf_counter()
        hashes = self.leaves.hashes(records)
        self.hashing += time.perf_counter() - at
        at = time.perf_counter()
        self.writer.extend(hashes)
        self.tree += time.perf_counter() - at
        self.events += len(records)

    def signed(self) -> Throughput:
        at = time.perf_counter()
        self.writer.write_partials()
        checkpoint = Checkpoint(ORIGIN, self.writer.size, self.writer.root())
        note = sign_checkpoint(checkpoint, [self.signer]).encode()
        self.store.write("checkpoint", note.encode())
        ended, cpu = time.perf_counter(), time.process_time() - self.cpu_began
        return Throughput(self.events, ended - self.began, self.hashing, self.tree,
                          ended - at, cpu, checkpoint.root)  # fmt: skip


def log_throughput(pool: list[bytes], events: int, store: TileStore) -> Throughput:
    """From the records' bytes to a signed checkpoint over `events` leaves."""
    stream = itertools.islice(itertools.cycle(pool), events)
    log = _TimedLog(store)
    while batch := list(itertools.islice(stream, BATCH)):
        log.add(batch)
    return log.signed()


async def log_from_kafka(settings: Settings, tiles: Path) -> Throughput:
    """The verifiable log over every event in the topics, as the checkpointer builds it:
    from the first Kafka fetch to a signed checkpoint, tiles written to `tiles`."""
    log = _TimedLog(DirectoryStore(tiles))
    async with LogReader(settings, client_id="pantau-bench-tlog") as reader:
        async for batch in reader.whole(partitions_of(*EVENT_TOPICS.values())):
            log.add([message.value or b"" for message in batch])
    return log.signed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--tiles", type=Path, help="Write the tiles here (default: memory).")
    parser.add_argument("--profile", type=Path, help="Write a cProfile of the log's run.")
    args = parser.parse_args()
    pool = event_pool(args.pool)
    leaves = Leaves(derived_salts(bytes(32)))
    costs: dict[str, Callable[[bytes], object]] = {
        "hash chain's canonical JSON": chain_canonical,
        "log's canonical JSON": canonical,
        "entry (description blinded)": leaves.entry,
        "leaf hash (entry included)": leaves.hash,
    }
    for name, seconds in per_record(costs, pool).items():
        print(f"{name:<30} {seconds * 1e6:6.2f} us/record")
    store: TileStore = MemoryStore() if args.tiles is None else DirectoryStore(args.tiles)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    result = log_throughput(pool, args.events, store)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(
        f"{result.events:,} records to a signed checkpoint in {result.seconds:.2f} s: "
        f"{result.rate:,.0f} records/s (leaves {result.leaves_seconds:.2f} s, tree and "
        f"tiles {result.tree_seconds:.2f} s, partial tiles and signature "
        f"{result.checkpoint_seconds * 1e3:.1f} ms); "
        f"{result.cpu_rate:,.0f} records per CPU second"
    )


if __name__ == "__main__":
    main()
