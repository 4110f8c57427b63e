"""The live state as the workers left it in Redis, read one partition at a time with a
script (atomic: a partition's keys always match its applied offset)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from pantau.contract.keys import KeySpace
from pantau.contract.topics import EVENT_TOPICS, Partition
from pantau.state.codec import decode_record
from pantau.state.memory import MemoryState
from pantau.state.records import Record

DUMP = (Path(__file__).parent / "dump.lua").read_text()


@dataclass
class LiveState:
    state: MemoryState
    offsets: dict[Partition, int]  # the last applied offset of each partition that has one


def read_live(client: redis.Redis, keys: KeySpace, zone: ZoneInfo) -> LiveState:
    dump = client.register_script(DUMP)
    live = LiveState(MemoryState(zone, None), {})
    for spec in EVENT_TOPICS.values():
        for partition in range(spec.partitions):
            shard = keys.shard(spec.name, partition)
            reply = dump(keys=[keys.offset(spec.name, partition)], args=[f"{shard}:*"])
            offset, flat = reply[0], reply[1:]
            if offset is not None:
                live.offsets[Partition(spec.name, partition)] = int(offset)
            records: dict[str, Record] = {}
            aggregates: dict[str, Counter[str]] = {}
            for key, value in zip(flat[::2], flat[1::2], strict=True):
                name = bytes(key).decode()[len(shard) + 1 :]
                if name.startswith("rec:"):
                    records[name[4:]] = decode_record(value)
                elif name.startswith("agg:"):
                    pairs = zip(value[::2], value[1::2], strict=True)
                    aggregates[name[4:]] = Counter({f.decode(): int(v) for f, v in pairs})
            if records:
                live.state.records[Partition(spec.name, partition)] = records
            if aggregates:
                live.state.aggregates[Partition(spec.name, partition)] = aggregates
    return live
