"""Reading live state: the one module the wall, intake, metrics and audit share.

Aggregates are kept per partition (see pantau/contract/keys.py); every reader here sums
them, so a figure is the same whichever worker, or how many, produced it. StateQuery is
the live StateView: pantau/state/compute.py turns what it reads into the city's figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import redis

from pantau.contract.city import CityProfile
from pantau.contract.keys import KeySpace
from pantau.contract.topics import COMPLAINTS, INDICATORS, TopicSpec
from pantau.state.codec import decode_record
from pantau.state.records import ComplaintRecord, IndicatorRecord


class StateQuery:
    def __init__(
        self,
        client: redis.Redis,
        keys: KeySpace,
        profile: CityProfile,
        clock: datetime | None = None,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.profile = profile
        self.clock = clock  # a fixed instant (settings.clock), else the real time

    def now(self) -> datetime:
        """The instant the figures are judged at: the one clock readers share."""
        return self.clock if self.clock is not None else datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(self.profile.timezone).date()

    def aggregate(self, topic: TopicSpec, suffix: str) -> Counter[str]:
        """One aggregate summed over the topic's partitions."""
        return self.summed(topic, [suffix])[suffix]

    def summed(self, topic: TopicSpec, suffixes: list[str]) -> dict[str, Counter[str]]:
        """Several aggregates, each summed over the topic's partitions, in one round trip."""
        pipeline = self.redis.pipeline(transaction=False)
        for suffix in suffixes:
            for partition in range(topic.partitions):
                pipeline.hgetall(self.keys.aggregate(topic.name, partition, suffix))
        replies = iter(pipeline.execute())
        totals: dict[str, Counter[str]] = {}
        for suffix in suffixes:
            total: Counter[str] = Counter()
            for _ in range(topic.partitions):
                for name, value in next(replies).items():
                    total[name.decode()] += int(value)
            totals[suffix] = total
        return totals

    def summed_field(self, topic: TopicSpec, suffixes: list[str], field: str) -> dict[str, int]:
        """One field of several aggregates, each summed over the topic's partitions, in one
        round trip: a figure without the rest of its aggregate."""
        pipeline = self.redis.pipeline(transaction=False)
        for suffix in suffixes:
            for partition in range(topic.partitions):
                pipeline.hget(self.keys.aggregate(topic.name, partition, suffix), field)
        replies = iter(pipeline.execute())
        totals: dict[str, int] = {}
        for suffix in suffixes:
            values = [next(replies) for _ in range(topic.partitions)]
            totals[suffix] = sum(int(value) for value in values if value is not None)
        return totals

    def arrivals(self, group: str, value: str, since_minute: int) -> dict[int, int]:
        """Complaint arrivals per event-time minute (epoch minutes) from `since_minute` on."""
        fields = self.aggregate(COMPLAINTS, f"arrivals:{group}:{value}")
        return {int(m): n for m, n in fields.items() if int(m) >= since_minute and n}

    def arrivals_by_partition(self, groups: list[tuple[str, str]]) -> list[list[dict[int, int]]]:
        """Per (group, value), its complaint arrivals per minute in each partition, in
        one round trip: where each partition stands in event time, besides the sums."""
        pipeline = self.redis.pipeline(transaction=False)
        for group, value in groups:
            for partition in range(COMPLAINTS.partitions):
                pipeline.hgetall(
                    self.keys.aggregate(COMPLAINTS.name, partition, f"arrivals:{group}:{value}")
                )
        replies = iter(pipeline.execute())
        return [
            [{int(m): int(n) for m, n in next(replies).items() if int(n)}
             for _ in range(COMPLAINTS.partitions)]
            for _ in groups
        ]  # fmt: skip

    def indicator_records(self, indicator_ids: list[str]) -> dict[str, IndicatorRecord]:
        """The records of those indicators that have one, in one round trip."""
        found = self._find_many(INDICATORS, indicator_ids)
        return {i: r for i, r in found.items() if isinstance(r, IndicatorRecord)}

    def complaint(self, complaint_id: str) -> ComplaintRecord | None:
        record = self._find(COMPLAINTS, complaint_id)
        return record if isinstance(record, ComplaintRecord) else None

    def _find(self, topic: TopicSpec, entity: str) -> object | None:
        return self._find_many(topic, [entity]).get(entity)

    def _find_many(self, topic: TopicSpec, entities: list[str]) -> dict[str, object]:
        # An entity's partition is the producer's choice; asking every shard costs one trip.
        pipeline = self.redis.pipeline(transaction=False)
        for entity in entities:
            for partition in range(topic.partitions):
                pipeline.get(self.keys.record(topic.name, partition, entity))
        replies = iter(pipeline.execute())
        found: dict[str, object] = {}
        for entity in entities:
            raws = [raw for _ in range(topic.partitions) if (raw := next(replies)) is not None]
            if raws:
                found[entity] = decode_record(raws[0])
        return found
