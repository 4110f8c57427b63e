"""`pantau audit verify`: recompute each partition's chain from the log (or a copy of it)
and hold it against the recorded checkpoints; name every changed, removed, inserted or
reordered event, and any break in the record itself."""

from __future__ import annotations

import bisect
import difflib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from consumers.audit.chain import GENESIS, ChainHead, Checkpoint, digest, fold

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
    except (ValueError, AttributeError, RecursionError):
        return None
    return found if isinstance(found, str) else None


@dataclass
class Record:
    """What the checkpoints of one partition vouch for."""

    covered: Covered = field(default_factory=list)  # (offset, digest), in offset order
    ends: dict[int, str] = field(default_factory=dict)  # a checkpoint's last offset -> chain
    findings: list[Finding] = field(default_factory=list)


def recorded_chain(shard: str, checkpoints: Iterable[Checkpoint]) -> Record:
    """The (offset, digest) sequence the record vouches for, the chain at each checkpoint's
    end, and breaks in the record: a checkpoint whose hash is not the chain over its
    digests, one that does not continue the chain where the one before it ended, or repeats
    that disagree.

    A checkpointer that stopped between its topic write and its Redis write starts again
    from the head Redis holds: it records the same offsets again, and may run past where
    the unconfirmed checkpoint ended. Such a repeat continues the chain at the end of the
    checkpoint before its first offset, like any other."""
    record = Record()
    covered: dict[int, str] = {}
    ends: list[int] = []  # sorted
    for checkpoint in sorted(checkpoints, key=lambda c: (c.first_offset, c.last_offset)):
        if fold(checkpoint.previous_hash, checkpoint.digests) != checkpoint.hash:
            record.findings.append(
                _record(shard, checkpoint, "its hash is not the chain over its digests")
            )
            continue
        entries = checkpoint.covered()
        if any(covered.get(o, d) != d for o, d in entries):
            record.findings.append(
                _record(shard, checkpoint, "repeats earlier offsets with other digests")
            )
            continue
        before = bisect.bisect_left(ends, checkpoint.first_offset)
        expected = record.ends[ends[before - 1]] if before else GENESIS
        if checkpoint.previous_hash != expected:
            record.findings.append(
                _record(shard, checkpoint, f"does not continue the chain (expected {expected})")
            )
        covered.update(entries)
        if checkpoint.last_offset not in record.ends:
            bisect.insort(ends, checkpoint.last_offset)
            record.ends[checkpoint.last_offset] = checkpoint.hash
    record.covered = sorted(covered.items())
    return record


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
    checkpoints: dict[str, list[Checkpoint]],
    logs: dict[str, list[LogEvent]],
    heads: dict[str, ChainHead],
) -> Verification:
    """`heads`: the chain head Redis holds per partition, a second copy of the record. It
    must have been read before the checkpoints: the checkpointer writes a checkpoint to the
    topic before it moves the head in Redis, so the topic then holds every checkpoint
    Redis' heads stand on, and both are compared at the offset the head stands at. The
    topic may be further on; that is the checkpointer at work, not a finding."""
    findings: list[Finding] = []
    shards: dict[str, ShardReport] = {}
    for shard in sorted(set(checkpoints) | set(logs)):
        record = recorded_chain(shard, checkpoints.get(shard, []))
        findings.extend(record.findings)
        log = logs.get(shard, [])
        findings.extend(compare(shard, record.covered, log))
        head = heads.get(shard)
        if head is not None and head.next_offset > 0:
            findings.extend(_head_disagrees(shard, head, record))
        count = len(checkpoints.get(shard, []))
        shards[shard] = ShardReport(events=len(log), covered=len(record.covered), checkpoints=count)
    return Verification(shards=shards, findings=findings)


def _head_disagrees(shard: str, head: ChainHead, record: Record) -> list[Finding]:
    at = head.next_offset - 1
    recorded = record.ends.get(at)
    if recorded == head.hash:
        return []
    topic = f"the audit topic {recorded}" if recorded else "no checkpoint in the audit topic"
    detail = f"Redis holds chain head {head.hash} after offset {at}, {topic} ends there"
    return [_finding("record", shard, at, None, detail)]
