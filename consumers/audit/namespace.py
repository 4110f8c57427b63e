"""A replayed state written to Redis under a prefix of its own, in the live keys' shape,
so `pantau state` or a wall (PANTAU_REDIS_PREFIX=...) can show what the log rebuilds.
The live prefix is refused: a replay never touches the live keys."""

from __future__ import annotations

import redis

from pantau.contract.keys import KeySpace
from pantau.contract.topics import Partition
from pantau.state.codec import encode_record
from pantau.state.memory import MemoryState

CHUNK = 5000


class LivePrefixError(ValueError):
    pass


def write_namespace(
    client: redis.Redis,
    prefix: str,
    live_prefix: str,
    state: MemoryState,
    offsets: dict[Partition, int],
) -> int:
    """Replace everything under `prefix` with the state; the number of keys written."""
    if prefix == live_prefix or prefix.startswith(f"{live_prefix}:"):
        raise LivePrefixError(f"{prefix} is the live prefix; choose another for a replay")
    if not prefix.startswith("pantau"):
        # Pantau's Redis user may write only names that start so (deploy/stack/redis_acl.py).
        raise LivePrefixError(f"{prefix} does not start with 'pantau'; try pantau-audit")
    stale = list(client.scan_iter(match=KeySpace(prefix).pattern, count=1000))
    for start in range(0, len(stale), CHUNK):
        client.unlink(*stale[start : start + CHUNK])
    keys = KeySpace(prefix)
    pipeline = client.pipeline(transaction=False)
    written = 0
    for (topic, partition), records in state.records.items():
        for entity, record in records.items():
            pipeline.set(keys.record(topic, partition, entity), encode_record(record))
            written += 1
            if written % CHUNK == 0:
                pipeline.execute()
    for (topic, partition), aggregates in state.aggregates.items():
        for suffix, fields in aggregates.items():
            flat = [part for pair in fields.items() for part in pair]
            pipeline.hset(keys.aggregate(topic, partition, suffix), items=flat)
            written += 1
            if written % CHUNK == 0:
                pipeline.execute()
    for (topic, partition), offset in offsets.items():
        pipeline.set(keys.offset(topic, partition), offset)
        written += 1
    pipeline.execute()
    return written
