"""The latency runs' load: fresh, valid events however many are asked for."""

from __future__ import annotations

import pytest

import bench.latency
from pantau.contract.city import load_city_profile
from pantau.contract.topics import COMPLAINTS, EVENT_TOPICS
from pantau.state.decode import Rejection, decode

PROFILE = load_city_profile("mojokerto")
KIND_OF_TOPIC = {spec.name: kind for kind, spec in EVENT_TOPICS.items()}


def test_copies_beyond_the_simulated_events_are_valid_and_new(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench.latency, "TEMPLATE_EVENTS", 400)
    wire = bench.latency._load(PROFILE, 3, 1000)
    events = [decode(value, KIND_OF_TOPIC[topic], PROFILE) for topic, _, value in wire]
    assert not [e for e in events if isinstance(e, Rejection)]
    assert len({e.event_id for e in events if not isinstance(e, Rejection)}) == 1000
    keyed = [(key, e) for (_, key, _), e in zip(wire, events, strict=True)
             if not isinstance(e, Rejection)]  # fmt: skip
    assert all(key == e.entity_id.encode() for key, e in keyed)
    complaints = {COMPLAINTS.name}
    simulated = {key for topic, key, _ in wire[:400] if topic in complaints}
    copied = {key for topic, key, _ in wire[400:] if topic in complaints}
    assert simulated and copied and not simulated & copied
