"""Every Redis key and pub/sub channel Pantau uses: its owner and shape, built in one place.

`KeySpace(prefix)` builds them all, so every name starts with the configured prefix
(PANTAU_REDIS_PREFIX, which starts with `pantau`): Redis' ACL lets Pantau's user touch
nothing else (deploy/stack/redis_acl.py), and an audit replay or a test under another
prefix never touches the live names. Below, the prefix is the default, `pantau`.

Live state, owner the stream worker. Every key of one partition shares the hash tag
{topic.partition}, so the atomic commit of a batch touches one slot and stays valid on
Redis Cluster; readers sum the partitions.

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
pantau:{pantau.complaints.3}:agg:hourly-arrivals:dimension:living
    hash: event-time epoch minute an hour starts at -> complaints that arrived in that
    hour: the wall's last day of arrivals and the detector's expectation beside it, which
    takes weeks of history (an hour's field stands for up to 60 of the minutes above)
pantau:{pantau.programs.1}:agg:programs:dimension:environment
    hash: 2023:planned, 2023:completed, 2023:status:running, 2023:realization_centi
    (hundredths of a percent, so sums stay exact)
pantau:{pantau.indicators.0}:agg:indicators:dimension:living
    hash: indicator id -> 1 (which indicators the partition holds)
pantau:{pantau.complaints.3}:agg:service:agency:dpupr
    hash: the service levels of the complaints (pantau/state/service_fields.py), per
    dimension, agency, category and kelurahan: sla_due:<stage>:<epoch s> (open, by the
    earliest running deadline), sla_missed:<day>, sla_closed:<day>, sla_on_time:<day>,
    sla_uncovered
pantau:changes
    pub/sub channel: {"topic", "partition", "offset"} after every committed batch

Spike detection, owner the detector (`pantau run detect`):

pantau:detector:state
    string: JSON of the last evaluated minute and each group's open spike, so a restarted
    detector neither repeats nor forgets an alert; its age is the detector's health check
pantau:detector:deadlines
    string: JSON {"firing": [[agency, stage, since], ...]}: the deadline watcher's breaches
    that are firing (streams/deadline_watcher.py)

Alerts, owner the notifier (`pantau run alerts`; pantau/state/alerts.py):

pantau:alerts:complaint-spike:dimension:living
    string: JSON of the alert's record (state firing, acknowledged or resolved; who
    acknowledged; the evidence)
pantau:alerts:index
    sorted set of fingerprints scored by their last change (epoch seconds)
pantau:alerts:changes
    pub/sub channel: the fingerprint of every alert that changed
pantau:alerts:undelivered
    list of JSON webhook deliveries that failed every attempt, kept for a later retry

Incidents, owner the notifier (pantau/state/incident_log.py); an operator's
`pantau alerts ack` writes the acknowledgement:

pantau:incidents:changes
    sorted set of the spike alerts' changes (the alert event's JSON) scored by event-time
    minute: the input incidents are formed from, a week of it
pantau:incidents:acknowledged
    hash: incident id -> JSON {"by", "at", "comment"}
pantau:incidents:notified
    hash: incident id -> the last state sent to the webhooks (firing, acknowledged,
    resolved), so a restarted notifier neither pages twice nor forgets a resolution
pantau:incidents:escalation
    hash: incident id -> JSON {"tier", "paged_at", "sent_at"} (epoch seconds): how far
    its paging went while nobody acknowledged it

Audit, owner the checkpointer (`pantau run checkpoint`; consumers/audit/checkpoint.py):

pantau:audit:head:pantau.complaints[3]
    string: JSON {"next_offset", "hash"}: where the partition's hash chain stands
pantau:audit:checkpoints:pantau.complaints[3]
    sorted set of checkpoints (JSON without the digests; those are in the pantau.audit
    topic) scored by last offset
pantau:audit:tree
    string: JSON {"edge", "next_offsets"}: the Merkle tree's right edge (base64 of its
    size and hashes) and, per partition label, the next offset it takes as a leaf
pantau:audit:cosigned
    string: the latest signed checkpoint with the witnesses' cosignatures gathered for it
    (a signed note); written by the checkpointer's /add-cosignature
pantau:audit:witnessed
    string: the latest checkpoint that the profile's quorum of witnesses co-signed
pantau:audit:checkpointer
    string with a 60 s TTL, refreshed while a checkpointer runs (its health check)

Intake, owner the intake (`pantau run intake`; producers/intake/store.py):

pantau:intake:request:MJK-20261127-3f9a0c1d
    string, the JSON of the complaint's Open311 view (no identity, no free text)
pantau:intake:requests
    sorted set of complaint ids scored by requested time (epoch seconds)
pantau:intake:receipt:MJK-20261127-3f9a0c1d
    hash: event id -> JSON {"status", "partition", "offset", "entry", "index"}: each event
    of the complaint intake published (producers/intake/receipts.py), its entry in the
    verifiable log (text blinded) and, once the tree holds it, its leaf index

The stack's check (`pantau stack check`):

pantau:healthcheck:9f1c0a…
    string with a 60 s TTL, written, read back and deleted

A replay's `--into PREFIX` writes the live-state keys above under PREFIX, never under
the live prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "pantau"
# A running checkpointer refreshes its mark well within this; a stopped one's expires.
CHECKPOINTER_ALIVE_SECONDS = 60


@dataclass(frozen=True)
class KeySpace:
    prefix: str = PREFIX

    @property
    def pattern(self) -> str:
        """A SCAN pattern that matches every key of this key space and nothing else."""
        return f"{self.prefix}:*"

    # Live state (the stream worker).

    def shard(self, topic: str, partition: int) -> str:
        """The hash-tagged part shared by every key of one partition."""
        return f"{self.prefix}:{{{topic}.{partition}}}"

    def offset(self, topic: str, partition: int) -> str:
        return f"{self.shard(topic, partition)}:offset"

    def record(self, topic: str, partition: int, entity: str) -> str:
        return f"{self.shard(topic, partition)}:rec:{entity}"

    def aggregate(self, topic: str, partition: int, suffix: str) -> str:
        return f"{self.shard(topic, partition)}:agg:{suffix}"

    @property
    def changes_channel(self) -> str:
        return f"{self.prefix}:changes"

    # Spike detection.

    @property
    def detector_state(self) -> str:
        return f"{self.prefix}:detector:state"

    @property
    def deadline_watcher_state(self) -> str:
        return f"{self.prefix}:detector:deadlines"

    # Alerts (the notifier).

    def alert(self, fingerprint: str) -> str:
        return f"{self.prefix}:alerts:{fingerprint}"

    @property
    def alert_index(self) -> str:
        return f"{self.prefix}:alerts:index"

    @property
    def alert_changes_channel(self) -> str:
        return f"{self.prefix}:alerts:changes"

    @property
    def undelivered_webhooks(self) -> str:
        return f"{self.prefix}:alerts:undelivered"

    # Incidents (the notifier; acknowledgements also from `pantau alerts ack`).

    @property
    def incident_changes(self) -> str:
        return f"{self.prefix}:incidents:changes"

    @property
    def incident_acknowledgements(self) -> str:
        return f"{self.prefix}:incidents:acknowledged"

    @property
    def incident_notified(self) -> str:
        return f"{self.prefix}:incidents:notified"

    @property
    def incident_escalation(self) -> str:
        return f"{self.prefix}:incidents:escalation"

    # Audit (the checkpointer); `label` is a partition's "pantau.complaints[3]".

    def audit_head(self, label: str) -> str:
        return f"{self.prefix}:audit:head:{label}"

    def audit_checkpoints(self, label: str) -> str:
        return f"{self.prefix}:audit:checkpoints:{label}"

    @property
    def audit_tree(self) -> str:
        return f"{self.prefix}:audit:tree"

    @property
    def audit_cosigned(self) -> str:
        return f"{self.prefix}:audit:cosigned"

    @property
    def audit_witnessed(self) -> str:
        return f"{self.prefix}:audit:witnessed"

    @property
    def checkpointer_alive(self) -> str:
        return f"{self.prefix}:audit:checkpointer"

    # Intake.

    def intake_request(self, complaint_id: str) -> str:
        return f"{self.prefix}:intake:request:{complaint_id}"

    @property
    def intake_requests(self) -> str:
        return f"{self.prefix}:intake:requests"

    def intake_receipt(self, complaint_id: str) -> str:
        return f"{self.prefix}:intake:receipt:{complaint_id}"

    # The stack's check.

    def healthcheck(self, probe: str) -> str:
        return f"{self.prefix}:healthcheck:{probe}"
