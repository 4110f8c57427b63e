"""A copy of one prefix's keys, written back later in one transaction: Redis as it comes
back from an older copy of its data (an append-only file that missed its last writes, or
a backup), which the worker must repair from the log. Pantau keeps strings and hashes."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from pantau.contract.settings import Settings


@dataclass(frozen=True)
class RedisCopy:
    strings: dict[bytes, bytes]
    hashes: dict[bytes, dict[bytes, bytes]]


def copy_prefix(settings: Settings, prefix: str) -> RedisCopy:
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    strings: dict[bytes, bytes] = {}
    hashes: dict[bytes, dict[bytes, bytes]] = {}
    try:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            kind = client.type(key)
            if kind == b"string":
                strings[key] = client.get(key)  # type: ignore[assignment]
            elif kind == b"hash":
                hashes[key] = client.hgetall(key)  # type: ignore[assignment]
            else:
                raise AssertionError(f"{key!r} is a {kind!r}, which this copy does not keep")
    finally:
        client.close()
    return RedisCopy(strings, hashes)


def put_back(settings: Settings, prefix: str, copy: RedisCopy) -> None:
    """Replace everything under `prefix` with `copy`, atomically."""
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    try:
        now = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        with client.pipeline(transaction=True) as writes:
            if now:
                writes.delete(*now)
            for key, value in copy.strings.items():
                writes.set(key, value)
            for key, fields in copy.hashes.items():
                writes.hset(key, mapping=fields)  # type: ignore[arg-type]
            writes.execute()
    finally:
        client.close()
