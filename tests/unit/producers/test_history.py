"""The demo's seeded history: a start on another day shares every event of the window
they have in common, id for id, so seeding again adds nothing; the live feed continues
the same simulation from now."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.contract.city import load_city_profile
from pantau.contract.dimensions import Dimension
from pantau.contract.events import AnyEvent, encode_event
from producers.simulator.history import seeded_config, split_at
from producers.simulator.rhythm import Spike

PROFILE = load_city_profile("mojokerto")
ZONE = ZoneInfo("Asia/Jakarta")
FIRST = datetime(2026, 11, 25, 10, 17, tzinfo=ZONE)
NEXT_DAY = FIRST + timedelta(days=1, hours=5)


def _history(now: datetime, days: int = 3) -> list[AnyEvent]:
    history, _ = split_at(PROFILE, seeded_config(now, days, 7, 300.0, None), now)
    return history


def test_a_start_the_next_day_repeats_the_shared_window_event_for_event() -> None:
    first, second = _history(FIRST), _history(NEXT_DAY)
    shared_from = seeded_config(NEXT_DAY, 3, 7, 300.0, None).start
    # Everything the first start published about complaints that arrived since the second
    # start's window opened, and the portfolio, is published again identically.
    arrived = {e.entity_id for e in second if e.kind == "complaint" and e.status == "received"}
    common = [
        e for e in first
        if e.kind != "complaint" or (e.entity_id in arrived and e.occurred_at >= shared_from)
    ]  # fmt: skip
    again = {e.event_id: encode_event(e) for e in second}
    assert len(common) > 500
    assert all(again.get(e.event_id) == encode_event(e) for e in common)


def test_the_history_ends_where_the_live_feed_begins() -> None:
    history, live = split_at(PROFILE, seeded_config(FIRST, 2, 7, 300.0, None), FIRST)
    upcoming = [next(live) for _ in range(50)]
    assert history and max(e.occurred_at for e in history) < FIRST
    assert all(e.occurred_at >= FIRST for e in upcoming)
    assert {e.event_id for e in upcoming}.isdisjoint(e.event_id for e in history)


def test_a_spike_counts_its_start_from_now() -> None:
    spike = Spike(Dimension.LIVING, timedelta(minutes=5), 4.0, timedelta(minutes=30))
    config = seeded_config(FIRST, 2, 7, 300.0, spike)
    assert config.spike is not None
    assert config.start + config.spike.start == FIRST + timedelta(minutes=5)
