"""The decoder's cost per message, in process: no Kafka, no Redis.

    python -m bench.decode [--events 20000] [--seed 7] [--repeats 9]

The simulator's feed (the benchmark's mix: programs and indicators first, then
complaints), each event encoded as producers send it, decoded on its kind's topic two
ways: the contract's way alone (pydantic and the city profile, the decoder before the
fast path) and `decode` as the worker calls it. Each slice of 500 messages is timed
`--repeats` times, the two ways in turn, and its fastest time kept: on a machine that
runs other work too, that is the figure least moved by it. Prints microseconds per
message, and how many took the fast path.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from datetime import datetime

from pantau.context import Context
from pantau.contract.city import CityProfile
from pantau.contract.events import EventKind, encode_event
from pantau.state.decode import decode, decode_by_contract
from pantau.state.fastpath import vouch
from producers.simulator.feed import SimulationConfig, city_feed

SLICE = 500
Way = Callable[[bytes, EventKind, CityProfile], object]


def messages(profile: CityProfile, count: int, seed: int) -> list[tuple[bytes, EventKind]]:
    start = datetime(2026, 1, 5, tzinfo=profile.timezone)
    feed = city_feed(profile, SimulationConfig(start, seed=seed, complaints_per_day=20_000))
    return [(encode_event(e), EventKind(e.kind)) for e in itertools.islice(feed, count)]


def fastest(
    ways: dict[str, Way], items: list[tuple[bytes, EventKind]], profile: CityProfile, repeats: int
) -> dict[str, float]:
    """Seconds per message for each way: the sum over slices of each slice's best time."""
    total = dict.fromkeys(ways, 0.0)
    for at in range(0, len(items), SLICE):
        chunk = items[at : at + SLICE]
        best = dict.fromkeys(ways, float("inf"))
        for _ in range(repeats):
            for name, way in ways.items():
                began = time.perf_counter()
                for value, kind in chunk:
                    way(value, kind, profile)
                best[name] = min(best[name], time.perf_counter() - began)
        for name in ways:
            total[name] += best[name]
    return {name: seconds / len(items) for name, seconds in total.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    profile = Context().profile  # PANTAU_CITY_PROFILE, as every command
    items = messages(profile, args.events, args.seed)
    fast = sum(vouch(value, kind, profile) is not None for value, kind in items)
    ways: dict[str, Way] = {"contract's way alone": decode_by_contract, "decode": decode}
    for name, seconds in fastest(ways, items, profile, args.repeats).items():
        print(f"{name:<21} {seconds * 1e6:6.2f} us/message")
    print(f"fast path took {fast} of {len(items)} messages")


if __name__ == "__main__":
    main()
