"""The checkpointer's own metrics, declared in pantau/contract/metrics.py: whether its
loop goes round, when it last recorded a checkpoint, and how many events it chained
(PantauCheckpointerStuck holds that against the events the worker applies)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pantau.contract import metrics as declared
from pantau.contract.topics import EVENT_TOPICS
from pantau.instruments import counter, gauge


class CheckpointerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.last_progress = gauge(declared.CHECKPOINTER_LAST_PROGRESS, registry)
        self.last_checkpoint = gauge(declared.CHECKPOINTER_LAST_CHECKPOINT, registry)
        self.events = counter(declared.CHECKPOINTER_EVENTS, registry)
        self.checkpoints = counter(declared.CHECKPOINTER_CHECKPOINTS, registry)
        self.tlog_signed = gauge(declared.TLOG_LAST_SIGNED, registry)
        self.witness_cosigned = gauge(declared.TLOG_WITNESS_LAST_COSIGNED, registry)
        # Every topic's series from the start, at 0, so increase() sees the first chained.
        for topic in EVENT_TOPICS.values():
            self.events.labels(topic=topic.name)
            self.checkpoints.labels(topic=topic.name)

    def progressed(self) -> None:
        self.last_progress.set_to_current_time()

    def recorded(self, topic: str, events: int) -> None:
        self.last_checkpoint.set_to_current_time()
        self.events.labels(topic=topic).inc(events)
        self.checkpoints.labels(topic=topic).inc()

    def signed(self) -> None:
        self.tlog_signed.set_to_current_time()

    def listed(self, witnesses: list[str]) -> None:
        """Every listed witness's series from the start, at 0: one that never co-signs is
        behind too."""
        for name in witnesses:
            self.witness_cosigned.labels(witness=name)

    def cosigned(self, witnesses: list[str]) -> None:
        for name in witnesses:
            self.witness_cosigned.labels(witness=name).set_to_current_time()
