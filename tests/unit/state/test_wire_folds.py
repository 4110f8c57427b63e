"""The folds give the same records and aggregates whether the worker's decoder hands them
Structs or the contract's models."""

from __future__ import annotations

import itertools
from datetime import datetime

from pantau.contract.city import load_city_profile
from pantau.contract.events import EventKind, encode_event
from pantau.contract.topics import TOPIC_OF_KIND
from pantau.contract.wire import EitherEvent
from pantau.state.decode import Rejection, decode
from pantau.state.memory import MemoryState
from pantau.state.service_fields import ServiceClock
from producers.simulator.feed import SimulationConfig, city_feed

PROFILE = load_city_profile("mojokerto")
START = datetime(2026, 1, 5, tzinfo=PROFILE.timezone)


def _folded(events: list[EitherEvent]) -> MemoryState:
    state = MemoryState(PROFILE.timezone, ServiceClock.of(PROFILE))
    for kind in EventKind:
        state.apply(TOPIC_OF_KIND[kind.value].name, 0, [e for e in events if e.kind == kind])
    return state


def test_structs_fold_like_the_models() -> None:
    models = list(itertools.islice(city_feed(PROFILE, SimulationConfig(START, seed=11)), 3000))
    structs: list[EitherEvent] = []
    for model in models:
        outcome = decode(encode_event(model), EventKind(model.kind), PROFILE)
        assert not isinstance(outcome, Rejection)
        structs.append(outcome)
    ours, theirs = _folded(structs), _folded(list(models))
    assert ours.records == theirs.records
    assert ours.aggregates == theirs.aggregates
