"""The live state rebuilt in memory from the log, with the same folds the worker uses:
what the audit compares Redis against."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from pantau.contract.topics import INDICATORS, Partition, TopicSpec
from pantau.contract.wire import EitherEvent
from pantau.state.batch import fold_batch
from pantau.state.records import IndicatorRecord, Record
from pantau.state.service_fields import ServiceClock


@dataclass
class MemoryState:
    zone: ZoneInfo
    # The city's deadlines as the worker has them (ServiceClock.of(profile)); None leaves
    # out the service-level fields, for a state read rather than folded.
    service: ServiceClock | None
    records: dict[Partition, dict[str, Record]] = field(default_factory=dict)
    aggregates: dict[Partition, dict[str, Counter[str]]] = field(default_factory=dict)

    def apply(self, topic: str, partition: int, events: Iterable[EitherEvent]) -> None:
        batch = list(events)
        shard = Partition(topic, partition)
        records = self.records.setdefault(shard, {})
        before: dict[str, Record | None] = {e.entity_id: records.get(e.entity_id) for e in batch}
        # fold_batch declares the models only (the Structs have the same attributes)
        fold = fold_batch(before, batch, self.zone, self.service)
        records.update(fold.changed)
        aggregates = self.aggregates.setdefault(shard, {})
        for suffix, fields in fold.aggregates.items():
            counter = aggregates.get(suffix)
            if counter is None:
                counter = aggregates[suffix] = Counter()
            # A counter holds no zeros, so only the fields just added can have come to one:
            # looking at those alone keeps a batch's cost off the size of the counters.
            for name, amount in fields.items():
                value = counter.get(name, 0) + amount
                if value:
                    counter[name] = value
                else:
                    del counter[name]
            if not counter:
                del aggregates[suffix]

    def aggregate(self, topic: str, suffix: str) -> Counter[str]:
        total: Counter[str] = Counter()
        for (shard_topic, _), aggregates in self.aggregates.items():
            if shard_topic == topic:
                total.update(aggregates.get(suffix, Counter()))
        return total

    # The StateView protocol (pantau/state/compute.py), so a rebuild yields the figures.
    def summed(self, topic: TopicSpec, suffixes: list[str]) -> dict[str, Counter[str]]:
        return {suffix: self.aggregate(topic.name, suffix) for suffix in suffixes}

    def summed_field(self, topic: TopicSpec, suffixes: list[str], field: str) -> dict[str, int]:
        return {suffix: self.aggregate(topic.name, suffix)[field] for suffix in suffixes}

    def indicator_records(self, indicator_ids: list[str]) -> dict[str, IndicatorRecord]:
        found: dict[str, IndicatorRecord] = {}
        for (topic, _), records in self.records.items():
            if topic != INDICATORS.name:
                continue
            for indicator_id in indicator_ids:
                record = records.get(indicator_id)
                if isinstance(record, IndicatorRecord):
                    found[indicator_id] = record
        return found
