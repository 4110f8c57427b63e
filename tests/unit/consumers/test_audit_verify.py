"""Tamper evidence without a broker: checkpoints over a log, then the log altered in every
way verify must name (changed, removed, inserted, reordered) and the record broken."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from consumers.audit.chain import GENESIS, Checkpoint, canonical, checkpoint_of, digest, fold
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
    heads = {SHARD: GENESIS}
    disagree = verify({SHARD: checkpoints}, {SHARD: _log(values)}, heads)
    assert [f.detail.startswith("Redis holds") for f in disagree.findings] == [True]


def test_a_repeated_checkpoint_after_a_restart_is_accepted() -> None:
    values = _values(30)
    checkpoints = _checkpoints(values)
    assert verify({SHARD: [*checkpoints, checkpoints[1]]}, {SHARD: _log(values)}, {}).intact


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
