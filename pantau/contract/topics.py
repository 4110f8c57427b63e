"""Pantau's Kafka topics: names, partition counts and retention.

Event topics are the audit record: they keep their whole history (no time or size
retention, no compaction). Keys are entity ids, so one entity's events stay ordered in
one partition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from pantau.contract.events import EventKind

KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=lambda: dict(KEEP_FOREVER))


class Partition(NamedTuple):
    """One partition of one topic: the unit of order, of the worker's offset guard and of
    the audit's hash chain. A tuple, so it equals and hashes like Kafka clients' own
    (topic, partition) pairs."""

    topic: str
    number: int

    @property
    def label(self) -> str:
        """How the audit names it, in its records and reports: "pantau.complaints[3]"."""
        return f"{self.topic}[{self.number}]"

    @classmethod
    def from_label(cls, label: str) -> Partition:
        topic, number = label.removesuffix("]").rsplit("[", 1)
        return cls(topic, int(number))


def partitions_of(*topics: TopicSpec) -> list[Partition]:
    return [Partition(t.name, p) for t in topics for p in range(t.partitions)]


COMPLAINTS = TopicSpec("pantau.complaints", partitions=6)
PROGRAMS = TopicSpec("pantau.programs", partitions=3)
INDICATORS = TopicSpec("pantau.indicators", partitions=3)
ALERTS = TopicSpec("pantau.alerts", partitions=3)
# Each incident's lifecycle (fired, notified, escalated, acknowledged, resolved), keyed by
# incident: what an audit reads to learn who knew what when. Kept forever.
INCIDENT_STEPS = TopicSpec("pantau.incident-steps", partitions=3)
DEADLETTER = TopicSpec("pantau.deadletter", partitions=3)
# Hash-chain checkpoints of the event topics (consumers/audit): one partition, so the
# record of checkpoints has one order; kept forever like the events it vouches for.
AUDIT = TopicSpec("pantau.audit", partitions=1)
# The stack's round-trip check writes here, never into the audit record; an hour is
# plenty to read a probe back.
HEALTHCHECK = TopicSpec(
    "pantau.healthcheck", partitions=1, config={"retention.ms": str(60 * 60 * 1000)}
)

ALL_TOPICS = (
    COMPLAINTS,
    PROGRAMS,
    INDICATORS,
    ALERTS,
    INCIDENT_STEPS,
    DEADLETTER,
    AUDIT,
    HEALTHCHECK,
)
EVENT_TOPICS = {
    EventKind.COMPLAINT: COMPLAINTS,
    EventKind.PROGRAM: PROGRAMS,
    EventKind.INDICATOR: INDICATORS,
}

# Where each published kind goes: the state events, the alerts and the incidents' steps.
TOPIC_OF_KIND = {
    **{kind.value: spec for kind, spec in EVENT_TOPICS.items()},
    "alert": ALERTS,
    "incident-step": INCIDENT_STEPS,
}

# Kafka headers every published event carries, so a consumer can route without parsing.
HEADER_KIND = "pantau-kind"
HEADER_SCHEMA_VERSION = "pantau-schema-version"
