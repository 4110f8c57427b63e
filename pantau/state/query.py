"""Reading live state: the one module the wall, intake, metrics and audit share.

Aggregates are kept per partition (see pantau/contract/keys.py); every reader here sums them, so a
figure is the same whichever worker, or how many, produced it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import redis

from pantau.contract.city import CityProfile
from pantau.contract.keys import KeySpace
from pantau.contract.topics import COMPLAINTS, INDICATORS, PROGRAMS, TopicSpec
from pantau.state.codec import decode_record
from pantau.state.contributions import TTR_BOUNDS
from pantau.state.records import ComplaintRecord, IndicatorRecord

TTR_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ComplaintFigures:
    open: int
    received_total: int  # since the log began: a counter Prometheus can rate()
    received_today: int
    resolved_today: int
    rejected_today: int
    ttr_mean_today_s: float | None
    ttr_p90_today_s: float | None
    ttr_mean_30d_s: float | None
    ttr_p90_30d_s: float | None


@dataclass(frozen=True)
class ProgramFigures:
    year: int | None
    planned: int
    completed: int
    by_status: dict[str, int]
    realization_pct: float | None  # completed of planned
    mean_realization_pct: float | None


@dataclass(frozen=True)
class IndicatorFigures:
    indicator_id: str
    name: str
    unit: str
    period: str
    value: float
    previous: float | None
    change: float | None
    target: float | None
    distance_to_target: float | None
    on_target: bool | None
    history: list[tuple[str, float]]


class StateQuery:
    def __init__(self, client: redis.Redis, keys: KeySpace, profile: CityProfile) -> None:
        self.redis = client
        self.keys = keys
        self.profile = profile

    def today(self) -> date:
        return datetime.now(self.profile.timezone).date()

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

    def complaints(self, group: str, value: str, today: date | None = None) -> ComplaintFigures:
        """Figures of one group: ("city", "all"), ("dimension", "living"), ("agency", ...)."""
        return self.complaints_of(group, [value], today)[value]

    def complaints_of(
        self, group: str, values: list[str], today: date | None = None
    ) -> dict[str, ComplaintFigures]:
        """Figures of many values of one group (every kelurahan, say) in one round trip."""
        suffixes = {value: f"complaints:{group}:{value}" for value in values}
        found = self.summed(COMPLAINTS, list(suffixes.values()))
        day = today or self.today()
        return {value: complaint_figures(found[suffix], day) for value, suffix in suffixes.items()}

    def arrivals(self, group: str, value: str, since_minute: int) -> dict[int, int]:
        """Complaint arrivals per event-time minute (epoch minutes) from `since_minute` on."""
        fields = self.aggregate(COMPLAINTS, f"arrivals:{group}:{value}")
        return {int(m): n for m, n in fields.items() if int(m) >= since_minute and n}

    def programs(self, dimension: str, year: int | None = None) -> ProgramFigures:
        fields = self.aggregate(PROGRAMS, f"programs:dimension:{dimension}")
        return program_figures(fields, year)

    def indicator(self, indicator_id: str, history: int = 12) -> IndicatorFigures | None:
        record = self._find(INDICATORS, indicator_id)
        if not isinstance(record, IndicatorRecord) or not record.readings:
            return None
        return indicator_figures(record, history)

    def indicator_record(self, indicator_id: str) -> IndicatorRecord | None:
        record = self._find(INDICATORS, indicator_id)
        return record if isinstance(record, IndicatorRecord) else None

    def complaint(self, complaint_id: str) -> ComplaintRecord | None:
        record = self._find(COMPLAINTS, complaint_id)
        return record if isinstance(record, ComplaintRecord) else None

    def _find(self, topic: TopicSpec, entity: str) -> object | None:
        # The entity's partition is the producer's choice; asking every shard costs one trip.
        keys = [self.keys.record(topic.name, p, entity) for p in range(topic.partitions)]
        pipeline = self.redis.pipeline(transaction=False)
        for key in keys:
            pipeline.get(key)
        found = [raw for raw in pipeline.execute() if raw is not None]
        return decode_record(found[0]) if found else None


def complaint_figures(fields: Counter[str], today: date) -> ComplaintFigures:
    day = today.isoformat()
    window = [(today - timedelta(days=n)).isoformat() for n in range(TTR_WINDOW_DAYS)]
    return ComplaintFigures(
        open=fields["open"],
        received_total=sum(v for name, v in fields.items() if name.startswith("received:")),
        received_today=fields[f"received:{day}"],
        resolved_today=fields[f"resolved:{day}"],
        rejected_today=fields[f"rejected:{day}"],
        ttr_mean_today_s=_mean(fields, [day]),
        ttr_p90_today_s=_p90(fields, [day]),
        ttr_mean_30d_s=_mean(fields, window),
        ttr_p90_30d_s=_p90(fields, window),
    )


def program_figures(fields: Counter[str], year: int | None = None) -> ProgramFigures:
    """A dimension's portfolio for `year` (default: the latest year it has)."""
    years = {int(name.split(":", 1)[0]) for name in fields}
    chosen = year if year is not None else max(years, default=None)
    if chosen is None:
        return ProgramFigures(None, 0, 0, {}, None, None)
    planned = fields[f"{chosen}:planned"]
    completed = fields[f"{chosen}:completed"]
    prefix = f"{chosen}:status:"
    by_status = {n.removeprefix(prefix): v for n, v in fields.items() if n.startswith(prefix)}
    centi = fields[f"{chosen}:realization_centi"]
    return ProgramFigures(
        year=chosen,
        planned=planned,
        completed=completed,
        by_status=by_status,
        realization_pct=round(100 * completed / planned, 2) if planned else None,
        mean_realization_pct=round(centi / 100 / planned, 2) if planned else None,
    )


def indicator_figures(record: IndicatorRecord, history: int = 12) -> IndicatorFigures:
    ordered = sorted(record.readings.items(), key=lambda item: _period_key(item[0]))
    period, (_, _, value) = ordered[-1]
    previous = ordered[-2][1][2] if len(ordered) > 1 else None
    distance = None if record.target is None else round(value - record.target, 6)
    on_target = None
    if distance is not None:
        on_target = distance <= 0 if record.direction == "lower_is_better" else distance >= 0
    return IndicatorFigures(
        indicator_id=record.indicator_id,
        name=record.name,
        unit=record.unit,
        period=period,
        value=value,
        previous=previous,
        change=None if previous is None else round(value - previous, 6),
        target=record.target,
        distance_to_target=distance,
        on_target=on_target,
        history=[(p, reading[2]) for p, reading in ordered[-history:]],
    )


def _period_key(period: str) -> tuple[str, int]:
    # "2023" < "2023-Q1" < "2023-S1"? Sort by start, then finer periods after coarser ones.
    return period.replace("-Q", "-0").replace("-S", "-0"), len(period)


def _mean(fields: Counter[str], days: list[str]) -> float | None:
    count = sum(fields[f"ttr_count:{d}"] for d in days)
    if not count:
        return None
    return round(sum(fields[f"ttr_sum:{d}"] for d in days) / count, 1)


def _p90(fields: Counter[str], days: list[str]) -> float | None:
    """The 90th percentile from the bucket counts: the upper bound of the bucket it falls
    in (the last bucket has no bound, so its lower bound is reported)."""
    bounds = [str(b) for b in TTR_BOUNDS] + ["inf"]
    counts = [sum(fields[f"ttr_le:{d}:{b}"] for d in days) for b in bounds]
    total = sum(counts)
    if not total:
        return None
    rank, seen = 0.9 * total, 0
    for bound, count in zip(bounds, counts, strict=True):
        seen += count
        if seen >= rank:
            return float(TTR_BOUNDS[-1] if bound == "inf" else int(bound))
    return float(TTR_BOUNDS[-1])
