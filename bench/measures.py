"""Small instruments the benchmark reads: applied events from Redis offsets, process
memory from /proc, percentiles, and the check that computed state equals the expected."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import redis

from bench.workload import Totals
from pantau.contract.keys import KeySpace
from pantau.contract.topics import EVENT_TOPICS
from pantau.state.complaints import HOURLY_ARRIVALS
from pantau.state.memory import MemoryState


def applied(client: redis.Redis, prefix: str) -> int:
    """Messages applied under `prefix`: the sum of each partition's offset + 1."""
    keys = KeySpace(prefix)
    names = [keys.offset(t.name, p) for t in EVENT_TOPICS.values() for p in range(t.partitions)]
    return sum(int(v) + 1 for v in client.mget(names) if v is not None)


def wait_until(done: Callable[[], bool], timeout: float, poll: float = 0.1) -> float:
    """Seconds until `done`; raise when it never is."""
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"not done within {timeout:.0f} s")
        time.sleep(poll)
    return time.perf_counter() - started


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def worst_window(waits: list[tuple[float, float]], seconds: float, q: float) -> float:
    """The `q` quantile of the worst stretch of `seconds`: waits (send time, latency)
    grouped by when they were sent."""
    windows: dict[int, list[float]] = {}
    for sent, latency in waits:
        windows.setdefault(int(sent // seconds), []).append(latency)
    return max((percentile(w, q) for w in windows.values()), default=float("nan"))


def sharded_totals(client: redis.Redis, prefix: str) -> Totals:
    """Pantau's layout (and the raw baseline's): aggregates per partition, summed."""
    totals: Totals = {}
    for spec in EVENT_TOPICS.values():
        topic: dict[str, Counter[str]] = {}
        for partition in range(spec.partitions):
            shard = KeySpace(prefix).aggregate(spec.name, partition, "")
            for key in client.scan_iter(match=f"{shard}*", count=2000):
                suffix = bytes(key).decode()[len(shard) :]
                fields: dict[bytes, bytes] = client.hgetall(key)  # type: ignore[assignment]
                counter = topic.setdefault(suffix, Counter())
                for name, value in fields.items():
                    counter[name.decode()] += int(value)
        totals[spec.name] = topic
    return totals


def mismatches(expected: Totals, found: Totals) -> int:
    """Aggregates (topic, suffix) whose fields differ; zeros count as absent."""
    wrong = 0
    for topic in set(expected) | set(found):
        mine, theirs = expected.get(topic, {}), found.get(topic, {})
        for suffix in set(mine) | set(theirs):
            a = +mine.get(suffix, Counter())
            b = +theirs.get(suffix, Counter())
            wrong += a != b
    return wrong


TOPIC_OF_SUFFIX = {"complaints": "pantau.complaints", "arrivals": "pantau.complaints",
                   HOURLY_ARRIVALS: "pantau.complaints", "service": "pantau.complaints",
                   "stage-times": "pantau.complaints", "programs": "pantau.programs",
                   "indicators": "pantau.indicators"}  # fmt: skip


def flat_totals(client: redis.Redis, prefix: str) -> Totals:
    """The peer's layout: one hash per aggregate, `{prefix}:agg:{suffix}`."""
    totals: Totals = {}
    start = f"{prefix}:agg:"
    for key in client.scan_iter(match=f"{start}*", count=2000):
        suffix = bytes(key).decode()[len(start) :]
        fields: dict[bytes, bytes] = client.hgetall(key)  # type: ignore[assignment]
        topic = totals.setdefault(TOPIC_OF_SUFFIX[suffix.split(":", 1)[0]], {})
        topic[suffix] = Counter({f.decode(): int(v) for f, v in fields.items()})
    return totals


def memory_totals(state: MemoryState) -> Totals:
    """A rebuild's aggregates, summed over partitions."""
    totals: Totals = {}
    for (topic, _), aggregates in state.aggregates.items():
        mine = totals.setdefault(topic, {})
        for suffix, fields in aggregates.items():
            mine.setdefault(suffix, Counter()).update(fields)
    return totals
