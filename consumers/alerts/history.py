"""Reading an incident's recorded steps back from `pantau.incident-steps`, oldest first:
the whole topic is read once, so the answer does not depend on any consumer group."""

from __future__ import annotations

from kafka import KafkaConsumer, TopicPartition

from pantau.contract.connections import kafka_options
from pantau.contract.errors import ContractError
from pantau.contract.lifecycle import IncidentStep, parse_incident_step
from pantau.contract.settings import Settings
from pantau.contract.topics import INCIDENT_STEPS


def incident_steps(settings: Settings, identifier: str) -> list[IncidentStep]:
    """The steps of the incident named by its id or short id."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        **kafka_options(settings),
        enable_auto_commit=False,
        consumer_timeout_ms=2000,
    )
    try:
        partitions = [
            TopicPartition(INCIDENT_STEPS.name, p) for p in range(INCIDENT_STEPS.partitions)
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        steps = []
        for record in consumer:
            try:
                step = parse_incident_step(record.value)
            except ContractError:
                continue  # not an incident step: nothing this answer is about
            if identifier in (step.incident_id, step.short_id):
                steps.append(step)
            if all(consumer.position(p) >= ends[p] for p in partitions):
                break
        return sorted(steps, key=lambda s: s.occurred_at)
    finally:
        consumer.close()
