"""Replayed against shown: every figure side by side, and every key of the state that
differs with the events behind it."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from consumers.audit.replay import Replay, Trace
from pantau.state.codec import encode_record
from pantau.state.memory import MemoryState
from pantau.state.named import Figure, Figures

TOLERANCE = 1e-9  # figures are exact integers or rounded decimals: only float noise passes


class FigureRow(BaseModel):
    name: str
    replayed: Figure
    shown: Figure = None
    matches: bool = True


class StateDifference(BaseModel):
    partition: str  # "pantau.complaints[3]"
    key: str  # "rec:MJK-…" or "agg:complaints:dimension:living"
    shown: str | None
    replayed: str | None
    events: list[Trace]  # the last events of the entity, when the key is a record


def figure_rows(replayed: Figures, shown: Figures | None) -> list[FigureRow]:
    if shown is None:
        return [FigureRow(name=name, replayed=value) for name, value in replayed.items()]
    names = list(replayed) + [n for n in shown if n not in replayed]
    return [
        FigureRow(
            name=name,
            replayed=replayed.get(name),
            shown=shown.get(name),
            matches=_same(replayed.get(name), shown.get(name)),
        )
        for name in names
    ]


def _same(a: Figure, b: Figure) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= TOLERANCE
    return a == b


def state_differences(live: MemoryState, replay: Replay) -> list[StateDifference]:
    rebuilt = replay.state
    differences: list[StateDifference] = []
    for shard in sorted(set(live.records) | set(rebuilt.records)):
        shown, replayed = live.records.get(shard, {}), rebuilt.records.get(shard, {})
        for entity in sorted(set(shown) | set(replayed)):
            a, b = shown.get(entity), replayed.get(entity)
            if a != b:
                differences.append(
                    StateDifference(
                        partition=f"{shard[0]}[{shard[1]}]",
                        key=f"rec:{entity}",
                        shown=None if a is None else encode_record(a).decode(),
                        replayed=None if b is None else encode_record(b).decode(),
                        events=list(replay.trail.get((shard[0], entity), [])),
                    )
                )
    for shard in sorted(set(live.aggregates) | set(rebuilt.aggregates)):
        shown_aggs, replayed_aggs = (
            live.aggregates.get(shard, {}),
            rebuilt.aggregates.get(shard, {}),
        )
        for suffix in sorted(set(shown_aggs) | set(replayed_aggs)):
            a_fields = shown_aggs.get(suffix, Counter())
            b_fields = replayed_aggs.get(suffix, Counter())
            if a_fields != b_fields:
                changed = {f for f in set(a_fields) | set(b_fields) if a_fields[f] != b_fields[f]}
                differences.append(
                    StateDifference(
                        partition=f"{shard[0]}[{shard[1]}]",
                        key=f"agg:{suffix}",
                        shown=_fields(a_fields, changed),
                        replayed=_fields(b_fields, changed),
                        events=[],
                    )
                )
    return differences


def _fields(fields: Counter[str], names: set[str]) -> str:
    return ", ".join(f"{name}={fields[name]}" for name in sorted(names))
