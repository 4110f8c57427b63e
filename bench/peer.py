"""The peer: Pantau's aggregation written with Quix Streams, run as its own process:

    python -m bench.peer BOOTSTRAP REDIS_URL PREFIX STATE_DIR CITY_PROFILE

Each entity's record lives in Quix's state (RocksDB) and is folded one event at a time;
the aggregate deltas go to Redis through a batching sink, one pipeline per checkpoint,
which also adds the messages it covered to PREFIX:events. The benchmark measures the
rate from that counter, as it does Pantau's from the offsets in Redis, and runs several
such processes in one consumer group (Quix's way to scale out) when it compares
scaled-out runs.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import redis
from quixstreams import Application
from quixstreams.sinks import BatchingSink, SinkBatch
from quixstreams.state import State

from pantau.contract.city import CityProfile, load_city_profile
from pantau.contract.topics import EVENT_TOPICS
from pantau.state.batch import fold_batch
from pantau.state.codec import decode_record, encode_record
from pantau.state.decode import Rejection, decode
from pantau.state.service_fields import ServiceClock

Deltas = dict[str, dict[str, int]]


def folder(kind: Any, profile: CityProfile) -> Any:
    service = ServiceClock.of(profile)

    def fold(value: bytes, state: State[str, str]) -> Deltas:
        event = decode(value, kind, profile)
        if isinstance(event, Rejection):
            return {}
        raw = state.get("record")
        before = None if raw is None else decode_record(raw.encode())
        # fold_batch declares the models only (the Structs have the same attributes)
        result = fold_batch({event.entity_id: before}, [event], profile.timezone, service)
        changed = result.changed.get(event.entity_id)
        if changed is not None:
            state.set("record", encode_record(changed).decode())
        return result.aggregates

    return fold


class DeltaSink(BatchingSink):
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        super().__init__()
        self.client, self.prefix = client, prefix

    def write(self, batch: SinkBatch) -> None:
        merged: dict[str, Counter[str]] = {}
        count = 0
        for item in batch:
            count += 1
            for suffix, fields in item.value.items():
                merged.setdefault(suffix, Counter()).update(fields)
        writes = self.client.pipeline(transaction=False)
        for suffix, fields in merged.items():
            for name, amount in fields.items():
                if amount:
                    writes.hincrby(f"{self.prefix}:agg:{suffix}", name, amount)
        writes.incrby(f"{self.prefix}:events", count)
        writes.execute()


def main(bootstrap: str, redis_url: str, prefix: str, state_dir: str, city: str) -> None:
    """`city` is the benchmark's own profile (PANTAU_CITY_PROFILE where it runs), passed
    down so both sides fold with the same one."""
    profile = load_city_profile(city)
    app = Application(
        broker_address=bootstrap, consumer_group=prefix, auto_offset_reset="earliest",
        state_dir=state_dir, loglevel="WARNING", use_changelog_topics=False,
        commit_interval=1.0,
    )  # fmt: skip
    client = redis.Redis.from_url(redis_url)
    for kind, spec in EVENT_TOPICS.items():
        topic = app.topic(spec.name, key_deserializer="bytes", value_deserializer="bytes")
        stream = app.dataframe(topic).apply(folder(kind, profile), stateful=True)
        stream.sink(DeltaSink(client, prefix))
    app.run()


if __name__ == "__main__":
    main(*sys.argv[1:6])
