"""The replay's own bookkeeping, without a broker: the trail reads as one replay in
partition order would have kept it, partitions folded apart merge into the state one
fold gives, shares of the work are balanced, and the garbage collector is left as found."""

import gc
import pickle
from collections import Counter, deque
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka.errors import KafkaConnectionError

from consumers.audit.replay import (
    TRAIL,
    Replay,
    ShardFold,
    Trace,
    Trail,
    Window,
    _merge,
    _shares,
)
from consumers.audit.replay_part import run_part
from pantau.contract.city import load_city_profile
from pantau.contract.events import AnyEvent, event_from_mapping
from pantau.contract.settings import Settings
from pantau.contract.topics import Partition
from pantau.gcpause import gc_paused
from pantau.state.memory import MemoryState
from pantau.state.service_fields import ServiceClock
from tests.factories import complaint_document

PROFILE = load_city_profile("mojokerto")
TOPIC = "pantau.complaints"
STATUSES = ["received", "verified", "dispatched", "in_progress", "resolved"]


def test_the_trail_keeps_the_last_events_across_partitions_in_partition_order() -> None:
    trail = Trail()
    one_replay: deque[Trace] = deque(maxlen=TRAIL)
    for partition in (0, 2):
        steps = trail.shard(Partition(TOPIC, partition))["C-1"] = deque(maxlen=TRAIL)
        for offset in range(6):
            steps.append((partition, offset, f"e{partition}-{offset}"))
            one_replay.append(Trace(partition, offset, f"e{partition}-{offset}"))
    trail.shard(Partition("pantau.programs", 0))["C-1"] = deque([(0, 9, "p")])
    assert trail[(TOPIC, "C-1")] == list(one_replay)
    assert trail.get((TOPIC, "C-9"), []) == []
    assert list(trail) == [(TOPIC, "C-1"), ("pantau.programs", "C-1")] and len(trail) == 2


def events_for(complaints: int) -> list[AnyEvent]:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    return [
        event_from_mapping(
            complaint_document(
                event_id=f"e{n}-{step}", complaint_id=f"C-{n}", status=status,
                occurred_at=(start + timedelta(hours=n, minutes=step)).isoformat(),
            )
        )
        for n in range(complaints)
        for step, status in enumerate(STATUSES[: 1 + n % len(STATUSES)])
    ]  # fmt: skip


def test_partitions_folded_apart_merge_into_the_state_of_one_fold() -> None:
    by_partition = {p: events_for(30)[p::3] for p in range(3)}
    whole = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE))
    for partition, events in by_partition.items():
        whole.apply(TOPIC, partition, events)
    merged = Replay(MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE)), Window({}, {}))
    for partition in reversed(range(3)):  # parts arrive in any order ...
        part = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE))
        part.apply(TOPIC, partition, by_partition[partition])
        fold = ShardFold(Partition(TOPIC, partition), events=len(by_partition[partition]))
        fold.records = part.records[Partition(TOPIC, partition)]
        fold.aggregates = part.aggregates[Partition(TOPIC, partition)]
        _merge(merged, fold)
    assert merged.state.records == whole.records
    assert merged.state.aggregates == whole.aggregates
    assert merged.state.aggregate(TOPIC, "dimension:living") == whole.aggregate(
        TOPIC, "dimension:living"
    )
    assert merged.events == sum(len(e) for e in by_partition.values())


def test_shares_go_largest_first_to_the_least_loaded() -> None:
    sizes = {Partition(TOPIC, p): size for p, size in enumerate([90, 10, 50, 40, 0, 20])}
    window = Window({s: 0 for s in sizes}, dict(sizes))
    shares = _shares(window, [s for s in sizes if sizes[s]], 2)
    assert [[p for _, p in share] for share in shares] == [[0, 5], [2, 3, 1]]  # 110 and 100
    assert _shares(window, [Partition(TOPIC, 0)], 2) == [[Partition(TOPIC, 0)]]


def test_the_collector_is_left_as_it_was_also_after_an_error() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("a fold that fails")
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "a collector that was off stays off"
    finally:
        gc.enable()


def test_what_a_paused_fold_made_is_not_walked_by_the_next_young_collection() -> None:
    with gc_paused():
        made = [[n] for n in range(1000)]
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert not any(id(item) in young for item in made)
    assert id(made[0]) in {id(o) for o in gc.get_objects(generation=2)}


async def test_a_part_process_s_error_is_raised_in_the_replaying_process() -> None:
    nowhere = Settings(kafka_bootstrap="127.0.0.1:9")  # the discard port: refused
    window = Window({Partition(TOPIC, 0): 0}, {Partition(TOPIC, 0): 10})
    received: list[object] = []
    with pytest.raises(KafkaConnectionError):
        await run_part((nowhere, PROFILE, window, [Partition(TOPIC, 0)]), received.append)
    assert received == []


def test_a_shard_fold_travels_between_processes_whole() -> None:
    fold = ShardFold(Partition(TOPIC, 4), events=3, rejected=1)
    fold.trail["C-1"] = deque([(4, n, f"e{n}") for n in range(TRAIL + 2)][-TRAIL:], maxlen=TRAIL)
    fold.trail["C-2"] = deque([(4, 99, "x")], maxlen=TRAIL)
    back = pickle.loads(pickle.dumps(fold))
    assert back.trail == fold.trail and back.trail["C-1"].maxlen == TRAIL
    assert (back.shard, back.events, back.rejected, back.records) == (
        Partition(TOPIC, 4),
        3,
        1,
        None,
    )
    state = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE))
    state.apply(TOPIC, 4, events_for(12))
    fold.records, fold.aggregates = (
        state.records[Partition(TOPIC, 4)],
        state.aggregates[Partition(TOPIC, 4)],
    )
    back = pickle.loads(pickle.dumps(fold))
    assert back.records == fold.records and back.aggregates == fold.aggregates
    assert all(type(counter) is Counter for counter in back.aggregates.values())
