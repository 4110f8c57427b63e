"""The one computation of the city's figures (pantau/state/figures.py) from a state view.

Pure: it reads aggregates and indicator records through the StateView protocol, which
the live state in Redis (query.StateQuery), a rebuild in memory (memory.MemoryState) and
so an audit replay all implement. Every renderer calls `city_figures`; none computes a
figure of its own.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Protocol

from pantau.contract.city import CityProfile
from pantau.contract.topics import COMPLAINTS, PROGRAMS, TopicSpec
from pantau.detection.spike import policy_for
from pantau.state.complaints import TTR_BOUNDS
from pantau.state.figures import (
    AreaFigures,
    CityFigures,
    CityPrograms,
    ComplaintFigures,
    DimensionFigures,
    IndicatorFigures,
    Label,
    ProgramFigures,
    ServiceFigures,
)
from pantau.state.records import IndicatorRecord
from pantau.state.service_fields import service_suffix, stage_times_suffix
from pantau.state.service_judge import ServiceJudge
from pantau.state.trend import arrival_trend, hourly_arrivals_suffix

TTR_WINDOW_DAYS = 30
# The complaint groups the worker keeps aggregates for, besides the city and dimensions.
GROUPS = ("category", "kelurahan", "agency")


class StateView(Protocol):
    def summed(self, topic: TopicSpec, suffixes: list[str]) -> dict[str, Counter[str]]:
        """Each aggregate summed over the topic's partitions."""
        ...

    def summed_field(self, topic: TopicSpec, suffixes: list[str], field: str) -> dict[str, int]:
        """One field of each aggregate, summed over the topic's partitions."""
        ...

    def indicator_records(self, indicator_ids: list[str]) -> dict[str, IndicatorRecord]:
        """The records of those indicators that have one."""
        ...


def city_figures(
    view: StateView,
    profile: CityProfile,
    today: date,
    *,
    groups: bool = True,
    areas: bool = True,
    now: datetime | None = None,
) -> CityFigures:
    """Every figure as of the city's `today`. `groups=False` leaves out the categories,
    kelurahan and agencies, `areas=False` the map's tiles (the wall reads only their open
    counts, `pantau state` neither); each dimension's arrival trend is there when
    `now` says when it ends (the wall's now; the audit's instant), and so are the
    complaints' service levels, judged at `now`."""
    scopes = {("city", "all")} | {("dimension", d.key.value) for d in profile.dimensions}
    if groups:
        scopes |= {(group, key) for group in GROUPS for key in _group_keys(profile, group)}
    suffixes = {scope: f"complaints:{scope[0]}:{scope[1]}" for scope in sorted(scopes)}
    hourly = {d.key.value: hourly_arrivals_suffix(d.key.value) for d in profile.dimensions}
    # The city's service levels are its dimensions' sum: the worker keeps none for it.
    levels = {scope: service_suffix(*scope) for scope in suffixes if scope[0] != "city"}
    if areas and not groups:
        levels |= {("kelurahan", k): service_suffix("kelurahan", k)
                   for k in _group_keys(profile, "kelurahan")}  # fmt: skip
    # Stage times only where they are kept (dimensions, agencies), and not for the wall.
    times = ({scope: stage_times_suffix(*scope) for scope in levels
              if scope[0] in ("dimension", "agency")} if groups else {})  # fmt: skip
    wanted = list(suffixes.values())
    if now is not None:
        wanted += [*hourly.values(), *levels.values(), *times.values()]
    found = view.summed(COMPLAINTS, wanted)
    complaints = {scope: complaint_figures(found[s], today) for scope, s in suffixes.items()}
    service: dict[tuple[str, str], ServiceFigures] = {}
    if now is not None:
        judge = ServiceJudge(now, today, profile.timezone)
        service = {
            scope: judge.figures(found[s], found[times[scope]] if scope in times else None)
            for scope, s in levels.items()
        }
        dimension_scopes = [("dimension", d.key.value) for d in profile.dimensions]
        service[("city", "all")] = judge.figures(
            sum((found[levels[scope]] for scope in dimension_scopes), Counter()),
            sum((found[times[scope]] for scope in dimension_scopes), Counter()) if times else None,
        )
        complaints = {
            scope: figures.model_copy(update={"service": service[scope]})
            for scope, figures in complaints.items()
        }

    program_suffixes = [f"programs:dimension:{d.key.value}" for d in profile.dimensions]
    portfolios = view.summed(PROGRAMS, program_suffixes)
    programs = {s.rsplit(":", 1)[1]: program_figures(portfolios[s]) for s in program_suffixes}

    records = view.indicator_records([i.key for i in profile.indicators])
    indicators = {
        i.key: indicator_figures(records[i.key], Label(id=i.name_id, en=i.name_en))
        for i in profile.indicators
        if i.key in records and records[i.key].readings
    }
    policy = policy_for(profile).baseline
    dimensions = [
        DimensionFigures(
            key=d.key.value,
            label=Label(id=d.label_id, en=d.label_en),
            complaints=complaints[("dimension", d.key.value)],
            programs=programs[d.key.value],
            headline=indicators.get(d.headline_indicator),
            trend=None
            if now is None
            else arrival_trend(found[hourly[d.key.value]], now, profile.timezone, policy),
        )
        for d in profile.dimensions
    ]

    def of(group: str) -> dict[str, ComplaintFigures]:
        return {k: complaints[(group, k)] for k in _group_keys(profile, group)} if groups else {}

    return CityFigures(
        city=profile.city.name,
        today=today,
        complaints=complaints[("city", "all")],
        programs=_city_programs(list(programs.values())),
        dimensions=dimensions,
        indicators=list(indicators.values()),
        categories=of("category"),
        kelurahan=of("kelurahan"),
        agencies=of("agency"),
        areas=_areas(view, profile, of("kelurahan"), service) if areas else {},
    )


def _areas(
    view: StateView,
    profile: CityProfile,
    kelurahan: dict[str, ComplaintFigures],
    service: dict[tuple[str, str], ServiceFigures],
) -> dict[str, AreaFigures]:
    """Each kelurahan's tile: from its figures when they were read, else from its open
    count alone (one field of each aggregate, where the figures read them whole)."""
    keys = _group_keys(profile, "kelurahan")
    if kelurahan:
        opens = {k: kelurahan[k].open for k in keys}
    else:
        suffixes = {k: f"complaints:kelurahan:{k}" for k in keys}
        summed = view.summed_field(COMPLAINTS, list(suffixes.values()), "open")
        opens = {k: summed[suffixes[k]] for k in keys}
    overdue = {k: levels.overdue for (group, k), levels in service.items() if group == "kelurahan"}
    return {k: AreaFigures(open=opens[k], overdue=overdue.get(k)) for k in keys}


def _group_keys(profile: CityProfile, group: str) -> list[str]:
    if group == "category":
        return [c.key for c in profile.categories]
    if group == "kelurahan":
        return [kel.key for kec in profile.kecamatan for kel in kec.kelurahan]
    return [a.key for a in profile.agencies]


def _city_programs(portfolios: list[ProgramFigures]) -> CityPrograms:
    planned = sum(p.planned for p in portfolios)
    completed = sum(p.completed for p in portfolios)
    return CityPrograms(
        planned=planned,
        completed=completed,
        realization_pct=round(100 * completed / planned, 2) if planned else None,
    )


def complaint_figures(fields: Counter[str], today: date) -> ComplaintFigures:
    """One group's figures from its aggregate (see pantau/contract/keys.py for the fields)."""
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
        return ProgramFigures(year=None, planned=0, completed=0, by_status={},
                              realization_pct=None, mean_realization_pct=None)  # fmt: skip
    planned = fields[f"{chosen}:planned"]
    completed = fields[f"{chosen}:completed"]
    prefix = f"{chosen}:status:"
    by_status = {n.removeprefix(prefix): v for n, v in fields.items() if n.startswith(prefix)}
    centi = fields[f"{chosen}:realization_centi"]
    return ProgramFigures(
        year=chosen,
        planned=planned,
        completed=completed,
        by_status=dict(sorted(by_status.items())),
        realization_pct=round(100 * completed / planned, 2) if planned else None,
        mean_realization_pct=round(centi / 100 / planned, 2) if planned else None,
    )


def indicator_figures(record: IndicatorRecord, label: Label) -> IndicatorFigures:
    """The latest reading against the one before and the target. Needs a reading."""
    ordered = sorted(record.readings.items(), key=lambda item: _period_key(item[0]))
    period, (_, _, value) = ordered[-1]
    previous = ordered[-2][1][2] if len(ordered) > 1 else None
    distance = None if record.target is None else round(value - record.target, 6)
    on_target = None
    if distance is not None:
        on_target = distance <= 0 if record.direction == "lower_is_better" else distance >= 0
    return IndicatorFigures(
        key=record.indicator_id,
        label=label,
        unit=record.unit,
        period=period,
        value=value,
        previous=previous,
        change=None if previous is None else round(value - previous, 6),
        target=record.target,
        distance_to_target=distance,
        on_target=on_target,
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
