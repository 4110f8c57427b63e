"""Tamper evidence without a broker: checkpoints over a log, then the log altered in every
way verify must name (changed, removed, inserted, reordered) and the record broken."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from consumers.audit.chain import (
    GENESIS,
    ChainHead,
    Checkpoint,
    canonical,
    checkpoint_of,
    digest,
    fold,
)
from consumers.audit.verify import LogEvent, log_event, verify

SHARD = "pantau.complaints[0]"
AT = datetime(2026, 11, 27, tzinfo=UTC)


def _values(count: int) -> list[bytes]:
    return [json.dumps({"event_id": f"e-{n}", "kind": "complaint", "n": n}).encode()
            for n in range(count)]  # fmt: skip


def _log(values: list[bytes]) -> list[LogEvent]:
    return [log_event(offset, value) for offset, value in enumerate(values)]


def _checkpoints(values: list[bytes], every: int = 10) -> list[Checkpoint]:
    head, made = GENESIS, []
    items = [(offset, digest(value)) for offset, value in enumerate(values)]
    for start in range(0, len(items), every):
        checkpoint = checkpoint_of("pantau.complaints", 0, head, items[start : start + every], AT)
        made.append(checkpoint)
        head = checkpoint.hash
    return made


def _findings(values: list[bytes], altered: list[bytes]) -> list[tuple[str, int | None]]:
    result = verify({SHARD: _checkpoints(values)}, {SHARD: _log(altered)}, {})
    return [(f.kind, f.offset) for f in result.findings]


def test_an_untouched_log_verifies_and_uncheckpointed_events_are_no_finding() -> None:
    values = _values(45)
    result = verify({SHARD: _checkpoints(values[:40])}, {SHARD: _log(values)}, {})
    assert result.intact
    assert result.shards[SHARD].covered == 40 and result.shards[SHARD].events == 45


def test_a_changed_event_is_named_by_offset_and_event_id() -> None:
    values = _values(50)
    altered = list(values)
    altered[17] = altered[17].replace(b'"n": 17', b'"n": 99')
    result = verify({SHARD: _checkpoints(values)}, {SHARD: _log(altered)}, {})
    assert [(f.kind, f.offset, f.event_id) for f in result.findings] == [("changed", 17, "e-17")]


def test_removed_inserted_and_reordered_events_are_told_apart() -> None:
    values = _values(50)
    removed = values[:20] + values[21:]
    assert _findings(values, removed) == [("removed", 20)]
    forged = json.dumps({"event_id": "forged", "kind": "complaint"}).encode()
    inserted = [*values[:30], forged, *values[30:]]
    assert _findings(values, inserted) == [("inserted", 30)]
    swapped = list(values)
    swapped[5], swapped[6] = swapped[6], swapped[5]
    assert [kind for kind, _ in _findings(values, swapped)] == ["reordered"]


def test_a_re_serialized_copy_verifies_alike() -> None:
    values = _values(20)
    reformatted = [json.dumps(json.loads(v), indent=2, sort_keys=False).encode() for v in values]
    assert _findings(values, reformatted) == []
    assert canonical(b"\xff\xfe not json") == b"\xff\xfe not json"


def test_a_broken_record_is_reported() -> None:
    values = _values(30)
    checkpoints = _checkpoints(values)
    forged = checkpoints[1].model_copy(update={"digests": checkpoints[0].digests})
    result = verify({SHARD: [checkpoints[0], forged, checkpoints[2]]}, {SHARD: _log(values)}, {})
    assert [f.kind for f in result.findings][:1] == ["record"]
    forged_head = {SHARD: ChainHead(next_offset=checkpoints[-1].last_offset + 1, hash=GENESIS)}
    disagree = verify({SHARD: checkpoints}, {SHARD: _log(values)}, forged_head)
    assert [(f.kind, f.offset) for f in disagree.findings] == [("record", 29)]
    assert disagree.findings[0].detail.startswith(f"Redis holds chain head {GENESIS} after")


def _head_after(checkpoint: Checkpoint) -> dict[str, ChainHead]:
    return {SHARD: ChainHead(next_offset=checkpoint.last_offset + 1, hash=checkpoint.hash)}


def test_a_topic_ahead_of_redis_is_the_checkpointer_at_work_not_a_finding() -> None:
    values = _values(30)
    checkpoints = _checkpoints(values)
    # Redis read first, then the checkpointer wrote its next checkpoint to the topic.
    result = verify({SHARD: checkpoints}, {SHARD: _log(values)}, _head_after(checkpoints[1]))
    assert result.intact, result.findings


def test_a_head_beyond_every_recorded_checkpoint_is_a_finding() -> None:
    values = _values(30)
    checkpoints = _checkpoints(values)
    head = _head_after(checkpoints[2])
    result = verify({SHARD: checkpoints[:2]}, {SHARD: _log(values)}, head)
    assert [(f.kind, f.offset) for f in result.findings] == [("record", 29)]
    assert "no checkpoint in the audit topic ends there" in result.findings[0].detail


def test_a_head_between_checkpoint_ends_is_a_finding() -> None:
    values = _values(30)
    checkpoints = _checkpoints(values)
    head = {SHARD: ChainHead(next_offset=15, hash=checkpoints[1].hash)}
    result = verify({SHARD: checkpoints}, {SHARD: _log(values)}, head)
    assert [(f.kind, f.offset) for f in result.findings] == [("record", 14)]


def test_a_repeated_checkpoint_after_a_restart_is_accepted() -> None:
    values = _values(30)
    checkpoints = _checkpoints(values)
    assert verify({SHARD: [*checkpoints, checkpoints[1]]}, {SHARD: _log(values)}, {}).intact


def test_a_restart_that_runs_past_the_unconfirmed_checkpoint_is_accepted() -> None:
    """Stopped after writing 10..19 to the topic but before Redis: Redis still says 10, so
    the restart checkpoints 10..24 from the chain at 9, over the same offsets and more."""
    values = _values(30)
    first, unconfirmed = _checkpoints(values[:20])
    items = [(offset, digest(values[offset])) for offset in range(10, 25)]
    restart = checkpoint_of("pantau.complaints", 0, first.hash, items, AT)
    recorded = [first, unconfirmed, restart]
    result = verify({SHARD: recorded}, {SHARD: _log(values)}, _head_after(restart))
    assert result.intact, result.findings
    assert result.shards[SHARD].covered == 25


def test_a_restart_that_disagrees_with_the_unconfirmed_checkpoint_is_a_finding() -> None:
    values = _values(30)
    first, unconfirmed = _checkpoints(values[:20])
    altered = [*values[:12], b'{"event_id": "other"}', *values[13:]]
    items = [(offset, digest(altered[offset])) for offset in range(10, 25)]
    restart = checkpoint_of("pantau.complaints", 0, first.hash, items, AT)
    result = verify({SHARD: [first, unconfirmed, restart]}, {SHARD: _log(values)}, {})
    assert [f.detail.endswith("repeats earlier offsets with other digests")
            for f in result.findings] == [True]  # fmt: skip


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=30), st.data())
def test_any_single_change_is_caught(values: list[bytes], data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(values) - 1))
    replacement = data.draw(st.binary(max_size=40))
    altered = list(values)
    altered[position] = replacement
    caught = _findings(values, altered)
    if canonical(replacement) == canonical(values[position]):
        assert caught == []
    else:
        assert caught, "a change must be reported"
    assert fold(GENESIS, [digest(v) for v in values]) == _checkpoints(values, 1000)[0].hash


def test_a_message_nested_too_deeply_is_chained_as_it_is() -> None:
    # Any bytes may sit in the log; the checkpointer must not stop on them.
    deep = b"[" * 100_000 + b"]" * 100_000
    assert canonical(deep) == deep
    assert log_event(7, deep).event_id is None
