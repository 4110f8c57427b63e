"""Every Redis key Pantau writes: its owner and shape, in one place.

| key | owner | shape | example |
| --- | --- | --- | --- |
| pantau:healthcheck:{probe} | `pantau stack check` | string, 60 s TTL | pantau:healthcheck:9f1c… |
"""

PREFIX = "pantau"


def healthcheck_key(probe: str) -> str:
    return f"{PREFIX}:healthcheck:{probe}"
