"""`pantau audit verify`: recompute each partition's chain from the log (or a copy of it)
and hold it against the recorded checkpoints; name every changed, removed, inserted or
reordered event, and any break in the record itself."""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

from consumers.audit.chain import GENESIS, Checkpoint, digest, fold

Kind = Literal["changed", "removed", "inserted", "reordered", "record"]
Covered = list[tuple[int, str]]  # (offset, digest)


class Finding(BaseModel):
    kind: Kind
    shard: str  # "pantau.complaints[3]"
    offset: int | None  # where in the log (recorded offset for a removal)
    event_id: str | None
    detail: str


class ShardReport(BaseModel):
    events: int  # in the log
    covered: int  # vouched for by checkpoints
    checkpoints: int


class Verification(BaseModel):
    shards: dict[str, ShardReport]
    findings: list[Finding]

    @property
    def intact(self) -> bool:
        return not self.findings


class LogEvent(BaseModel):
    offset: int
    digest: str
    event_id: str | None


def log_event(offset: int, value: bytes | None) -> LogEvent:
    return LogEvent(offset=offset, digest=digest(value), event_id=_event_id(value))


def _event_id(value: bytes | None) -> str | None:
    try:
        found = json.loads(value or b"").get("event_id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def recorded_chain(
    shard: str, checkpoints: Iterable[Checkpoint]
) -> tuple[list[tuple[int, str]], list[Finding]]:
    """The (offset, digest) sequence the record vouches for, and breaks in the record:
    a checkpoint whose hash is not the chain over its digests, one that does not start
    where the one before ended, or repeats that disagree."""
    findings: list[Finding] = []
    covered: dict[int, str] = {}
    head, last = GENESIS, -1
    for checkpoint in sorted(checkpoints, key=lambda c: (c.first_offset, c.last_offset)):
        if fold(checkpoint.previous_hash, checkpoint.digests) != checkpoint.hash:
            findings.append(
                _record(shard, checkpoint, "its hash is not the chain over its digests")
            )
            continue
        entries = checkpoint.covered()
        if checkpoint.last_offset <= last:  # a repeat after a restart: it must agree
            if any(covered.get(o, d) != d for o, d in entries):
                findings.append(
                    _record(shard, checkpoint, "repeats earlier offsets with other digests")
                )
            continue
        if checkpoint.previous_hash != head:
            findings.append(
                _record(shard, checkpoint, f"does not continue the chain (expected {head})")
            )
        covered.update(entries)
        head, last = checkpoint.hash, checkpoint.last_offset
    return sorted(covered.items()), findings


def _record(shard: str, checkpoint: Checkpoint, problem: str) -> Finding:
    span = f"{checkpoint.first_offset}..{checkpoint.last_offset}"
    return _finding("record", shard, checkpoint.first_offset, None, f"checkpoint {span} {problem}")


def _finding(
    kind: Kind, shard: str, offset: int | None, event_id: str | None, detail: str
) -> Finding:
    return Finding(kind=kind, shard=shard, offset=offset, event_id=event_id, detail=detail)


def compare(shard: str, recorded: Covered, log: list[LogEvent]) -> list[Finding]:
    """Align the recorded digests with the log's. Events past the last checkpoint are not
    vouched for yet and are not findings."""
    expected = [d for _, d in recorded]
    actual = [e.digest for e in log]
    head = 0
    while head < min(len(expected), len(actual)) and expected[head] == actual[head]:
        head += 1
    if head == len(expected):
        return []
    tail = 0
    limit = min(len(expected), len(actual)) - head
    while tail < limit and expected[-1 - tail] == actual[-1 - tail]:
        tail += 1
    middle = difflib.SequenceMatcher(
        None,
        expected[head : len(expected) - tail],
        actual[head : len(actual) - tail],
        autojunk=False,
    )
    removed: list[int] = []
    inserted: list[int] = []
    findings: list[Finding] = []
    for op, i1, i2, j1, j2 in middle.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if op == "replace":
            width = min(i2 - i1, j2 - j1)
            for k in range(width):
                event = log[j1 + k]
                detail = f"digest {event.digest}, recorded {expected[i1 + k]}"
                findings.append(_finding("changed", shard, event.offset, event.event_id, detail))
            removed.extend(range(i1 + width, i2))
            inserted.extend(range(j1 + width, j2))
        elif op == "delete":
            removed.extend(range(i1, i2))
        elif op == "insert" and not (i1 == len(expected) and tail == 0):
            inserted.extend(range(j1, j2))
    return findings + _removed_inserted_or_moved(shard, recorded, log, removed, inserted)


def _removed_inserted_or_moved(
    shard: str, recorded: Covered, log: list[LogEvent], removed: list[int], inserted: list[int]
) -> list[Finding]:
    """A digest that left one place and appeared at another was reordered, not lost."""
    appeared: dict[str, list[int]] = defaultdict(list)
    for j in inserted:
        appeared[log[j].digest].append(j)
    findings = []
    for i in removed:
        offset, event_digest = recorded[i]
        if appeared.get(event_digest):
            j = appeared[event_digest].pop(0)
            detail = f"recorded at offset {offset}, found at {log[j].offset}"
            findings.append(_finding("reordered", shard, log[j].offset, log[j].event_id, detail))
        else:
            detail = f"the event with digest {event_digest} is missing"
            findings.append(_finding("removed", shard, offset, None, detail))
    for js in appeared.values():
        for j in js:
            detail = f"digest {log[j].digest} was never recorded here"
            findings.append(_finding("inserted", shard, log[j].offset, log[j].event_id, detail))
    return sorted(findings, key=lambda f: (f.offset or 0, f.kind))


def verify(
    checkpoints: dict[str, list[Checkpoint]], logs: dict[str, list[LogEvent]], heads: dict[str, str]
) -> Verification:
    """`heads`: the chain head Redis holds per partition, a second copy of the record."""
    findings: list[Finding] = []
    shards: dict[str, ShardReport] = {}
    for shard in sorted(set(checkpoints) | set(logs)):
        recorded, broken = recorded_chain(shard, checkpoints.get(shard, []))
        findings.extend(broken)
        log = logs.get(shard, [])
        findings.extend(compare(shard, recorded, log))
        latest = max(checkpoints.get(shard, []), key=lambda c: c.last_offset, default=None)
        if shard in heads and latest is not None and heads[shard] != latest.hash:
            detail = f"Redis holds chain head {heads[shard]}, the audit topic {latest.hash}"
            findings.append(_finding("record", shard, latest.last_offset, None, detail))
        count = len(checkpoints.get(shard, []))
        shards[shard] = ShardReport(events=len(log), covered=len(recorded), checkpoints=count)
    return Verification(shards=shards, findings=findings)
