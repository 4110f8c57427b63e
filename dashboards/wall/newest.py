"""The newest complaint events, read from the tail of the complaints topic.

A consumer of its own with no group: it commits nothing and never takes partitions from
the workers. Only what the wall may show is kept (category, place, agency, status);
descriptions and coordinates are dropped on arrival.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from dashboards.wall.snapshot import ComplaintLine
from pantau.contract.city import CityProfile
from pantau.contract.connections import kafka_options
from pantau.contract.errors import ContractError
from pantau.contract.events import ComplaintEvent, parse_event
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS

log = logging.getLogger("pantau.wall")
KEEP = 12


class NewestComplaints:
    def __init__(self, profile: CityProfile, keep: int = KEEP) -> None:
        self.profile = profile
        self.keep = keep
        self._lines: list[tuple[int, ComplaintLine]] = []  # (append time, line)

    def lines(self) -> list[ComplaintLine]:
        """Newest first."""
        return [line for _, line in self._lines]

    def add(self, timestamp_ms: int, event: ComplaintEvent) -> None:
        category = self.profile.category_by_key.get(event.category)
        names = self.profile.kelurahan_names
        line = ComplaintLine(
            complaint_id=event.complaint_id,
            status=event.status.value,
            category_id=category.label_id if category else event.category,
            category_en=category.label_en if category else event.category,
            dimension=event.dimension.value,
            agency=self.profile.agency_names.get(event.agency, event.agency),
            kelurahan=names.get(event.kelurahan, event.kelurahan),
            occurred_at=event.occurred_at,
        )
        self._lines.append((timestamp_ms, line))
        self._lines.sort(key=lambda item: item[0], reverse=True)
        del self._lines[self.keep :]

    def take(self, message: ConsumerRecord[bytes, bytes]) -> bool:
        """Keep the message if it is a valid complaint event; True when the list changed.
        Invalid messages are the worker's to dead-letter, not the wall's to report."""
        if message.value is None:
            return False
        try:
            event = parse_event(message.value)
        except ContractError:
            return False
        if not isinstance(event, ComplaintEvent):
            return False
        self.add(message.timestamp, event)
        return True

    async def follow(self, settings: Settings, changed: Callable[[], None]) -> None:
        """Start `keep` messages before each partition's end, then follow it forever."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            **kafka_options(settings),
            group_id=None,
            enable_auto_commit=False,
            client_id="pantau-wall",
        )
        await consumer.start()
        try:
            partitions = [TopicPartition(COMPLAINTS.name, p) for p in range(COMPLAINTS.partitions)]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            for tp in partitions:
                consumer.seek(tp, max(starts[tp], ends[tp] - self.keep))
            while True:
                batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                taken = [self.take(m) for messages in batches.values() for m in messages]
                if any(taken):
                    changed()
        finally:
            await consumer.stop()
