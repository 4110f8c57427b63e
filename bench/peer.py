"""The peer: Pantau's aggregation written with Quix Streams, run as its own process:

    python -m bench.peer BOOTSTRAP REDIS_URL PREFIX TOTAL STATE_DIR

Each entity's record lives in Quix's state (RocksDB) and is folded one event at a time;
the aggregate deltas go to Redis through a batching sink, one pipeline per checkpoint.
Prints {"seconds": ...} from the first message until TOTAL messages were written.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import Any

import redis
from quixstreams import Application
from quixstreams.sinks import BatchingSink, SinkBatch
from quixstreams.state import State

from pantau.contract.city import load_city_profile
from pantau.contract.topics import EVENT_TOPICS
from pantau.state.batch import fold_batch
from pantau.state.codec import decode_record, encode_record
from pantau.state.decode import Rejection, decode

PROFILE = load_city_profile("mojokerto")
Deltas = dict[str, dict[str, int]]


class Clock:
    first: float | None = None


def folder(kind: Any) -> Any:
    def fold(value: bytes, state: State[str, str]) -> Deltas:
        Clock.first = Clock.first or time.perf_counter()
        event = decode(value, kind, PROFILE)
        if isinstance(event, Rejection):
            return {}
        raw = state.get("record")
        before = None if raw is None else decode_record(raw.encode())
        # fold_batch declares the models only (the Structs have the same attributes)
        result = fold_batch({event.entity_id: before}, [event], PROFILE.timezone)  # type: ignore[list-item]
        changed = result.changed.get(event.entity_id)
        if changed is not None:
            state.set("record", encode_record(changed).decode())
        return result.aggregates

    return fold


class DeltaSink(BatchingSink):
    def __init__(self, client: redis.Redis, prefix: str, total: int, app: Application) -> None:
        super().__init__()
        self.client, self.prefix, self.total, self.app = client, prefix, total, app

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
        done = writes.execute()[-1]
        if done >= self.total:
            print(json.dumps({"seconds": time.perf_counter() - (Clock.first or 0)}), flush=True)
            self.app.stop()


def main(bootstrap: str, redis_url: str, prefix: str, total: int, state_dir: str) -> None:
    app = Application(
        broker_address=bootstrap, consumer_group=prefix, auto_offset_reset="earliest",
        state_dir=state_dir, loglevel="WARNING", use_changelog_topics=False,
        commit_interval=1.0,
    )  # fmt: skip
    client = redis.Redis.from_url(redis_url)
    for kind, spec in EVENT_TOPICS.items():
        topic = app.topic(spec.name, key_deserializer="bytes", value_deserializer="bytes")
        stream = app.dataframe(topic).apply(folder(kind), stateful=True)
        stream.sink(DeltaSink(client, prefix, total, app))
    app.run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
