"""Every Redis key Pantau writes: its owner and shape, in one place.

Every key and pub/sub channel starts with `pantau` (any PANTAU_REDIS_PREFIX does): Redis'
ACL lets Pantau's user touch nothing else (deploy/stack/redis_acl.py).

pantau:healthcheck:{probe}
    owner `pantau stack check`; string with a 60 s TTL; pantau:healthcheck:9f1c0a…
pantau:intake:request:{complaint id}
    owner intake; string, the JSON of its Open311 view (no identity, no free text);
    pantau:intake:request:MJK-20261127-3f9a0c1d
pantau:intake:requests
    owner intake; sorted set of complaint ids scored by requested time (epoch seconds)

Live state, owner the stream worker (pantau/state/keyspace.py builds these names). Every
key of one partition shares the hash tag {topic.partition}; readers sum the partitions.

pantau:{pantau.complaints.3}:offset
    string: the partition's last applied offset (written in the same atomic step as
    everything below)
pantau:{pantau.complaints.3}:rec:MJK-20261127-000042
    string: JSON of the entity's record (complaint status steps; a program's latest
    state; an indicator's readings per period)
pantau:{pantau.complaints.3}:agg:complaints:dimension:living
    hash of integer counters for one group (city:all, dimension, agency, category,
    kelurahan): open, received:2026-11-27, resolved:2026-11-27, rejected:2026-11-27,
    ttr_sum:2026-11-27 (seconds), ttr_count:2026-11-27, ttr_le:2026-11-27:86400
pantau:{pantau.complaints.3}:agg:arrivals:dimension:living
    hash: event-time epoch minute -> complaints that arrived in it (also per category
    and kecamatan): the input of spike detection
pantau:{pantau.programs.1}:agg:programs:dimension:environment
    hash: 2023:planned, 2023:completed, 2023:status:running, 2023:realization_centi
    (hundredths of a percent, so sums stay exact)
pantau:{pantau.indicators.0}:agg:indicators:dimension:living
    hash: indicator id -> 1 (which indicators the partition holds)
pantau:changes
    pub/sub channel: {"topic", "partition", "offset"} after every committed batch

Alerts, owner the notifier (`pantau alerts serve`; pantau/state/alerts.py):

pantau:alerts:complaint-spike:dimension:living
    string: JSON of the alert's record (state firing, acknowledged or resolved; who
    acknowledged; the evidence)
pantau:alerts:index
    sorted set of fingerprints scored by their last change (epoch seconds)
pantau:alerts:changes
    pub/sub channel: the fingerprint of every alert that changed

Audit, owner the checkpointer (`pantau audit checkpoint`; consumers/audit/keys.py):

pantau:audit:head:pantau.complaints[3]
    string: JSON {"next_offset", "hash"}: where the partition's hash chain stands
pantau:audit:checkpoints:pantau.complaints[3]
    sorted set of checkpoints (JSON without the digests; those are in the pantau.audit
    topic) scored by last offset
pantau:audit:checkpointer
    string with a 60 s TTL, refreshed while a checkpointer runs (its health check)

A replay's `--into PREFIX` writes the live-state keys above under PREFIX, never under
the live prefix.
"""

PREFIX = "pantau"


def healthcheck_key(probe: str) -> str:
    return f"{PREFIX}:healthcheck:{probe}"


def intake_request_key(service_request_id: str) -> str:
    return f"{PREFIX}:intake:request:{service_request_id}"


INTAKE_REQUEST_INDEX = f"{PREFIX}:intake:requests"
