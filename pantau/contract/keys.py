"""Every Redis key Pantau writes: its owner and shape, in one place.

pantau:healthcheck:{probe}
    owner `pantau stack check`; string with a 60 s TTL; pantau:healthcheck:9f1c0a…
pantau:intake:request:{complaint id}
    owner intake; string, the JSON of its Open311 view (no identity, no free text);
    pantau:intake:request:MJK-20261127-3f9a0c1d
pantau:intake:requests
    owner intake; sorted set of complaint ids scored by requested time (epoch seconds)
"""

PREFIX = "pantau"


def healthcheck_key(probe: str) -> str:
    return f"{PREFIX}:healthcheck:{probe}"


def intake_request_key(service_request_id: str) -> str:
    return f"{PREFIX}:intake:request:{service_request_id}"


INTAKE_REQUEST_INDEX = f"{PREFIX}:intake:requests"
