"""Redis and the state query as the spike detector reads them, in memory."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from pantau.contract.city import load_city_profile
from pantau.contract.keys import KeySpace
from pantau.contract.topics import COMPLAINTS

PROFILE = load_city_profile("mojokerto")
KEYS = KeySpace("pantau-t-unit")
T0 = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
WATCHED = {("dimension", "living"), ("category", "drainase"), ("kecamatan", "kranggan")}


class FakeRedis:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value


class FakeQuery:
    """Arrivals of Smart Living's drainase category in Kranggan, as the worker folds them
    into each partition."""

    profile = PROFILE

    def __init__(self) -> None:
        self.partitions: list[Counter[int]] = [Counter() for _ in range(COMPLAINTS.partitions)]

    def add(self, moments: list[datetime], partition: int = 0) -> None:
        self.partitions[partition].update(int(m.timestamp()) // 60 for m in moments)

    def arrivals(self, group: str, value: str, since_minute: int) -> dict[int, int]:
        if (group, value) not in WATCHED:
            return {}
        summed = sum(self.partitions, Counter())
        return {m: n for m, n in summed.items() if m >= since_minute}

    def arrivals_by_partition(self, groups: list[tuple[str, str]]) -> list[list[dict[int, int]]]:
        return [[dict(p) if group in WATCHED else {} for p in self.partitions] for group in groups]
