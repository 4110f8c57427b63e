"""Creating Pantau's topics with their partitions and retention, idempotently."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from pantau.contract.topics import ALL_TOPICS, TopicSpec


def ensure_topics(
    bootstrap: str,
    specs: Iterable[TopicSpec] = ALL_TOPICS,
    options: dict[str, Any] | None = None,
    replication: int = 1,
) -> list[str]:
    """Create the topics that do not exist yet; return the names created. `options` are
    the connection's (kafka_options) for brokers that want SASL over TLS; on a cluster,
    `replication` copies with all but one in sync before `acks=all` is answered."""
    in_sync = {"min.insync.replicas": str(replication - 1)} if replication > 1 else {}
    wanted = list(specs)
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="pantau-stack", **(options or {})
    )
    try:
        existing = set(admin.list_topics())
        missing = [spec for spec in wanted if spec.name not in existing]
        if missing:
            admin.create_topics(
                [
                    NewTopic(
                        name=spec.name,
                        num_partitions=spec.partitions,
                        replication_factor=replication,
                        topic_configs={**spec.config, **in_sync},
                    )
                    for spec in missing
                ]
            )
        return [spec.name for spec in missing]
    finally:
        admin.close()
