"""A city state, active alerts and the newest complaints for the wall, written where the
wall reads them (Redis through the state store and the alert store, the complaints topic),
with the longest names the profile has: the worst case for the layout."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import redis

from consumers.alerts.lifecycle import acknowledge, from_stream
from pantau.contract.alerts import AlertEvent
from pantau.contract.events import AnyEvent, ComplaintEvent, IndicatorEvent
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, INDICATORS, PROGRAMS
from pantau.contract.wire import EitherEvent
from pantau.publisher import EventPublisher
from pantau.state.alerts import AlertRecord, AlertStore, Change
from pantau.state.store import PartitionBatch, StateStore
from producers.simulator.feed import SimulationConfig, city_feed
from tests.factories import alert_document, indicator_document
from tests.integration.worker_helpers import PROFILE

T = TypeVar("T")
TOPIC_OF_KIND = {
    "complaint": COMPLAINTS.name,
    "program": PROGRAMS.name,
    "indicator": INDICATORS.name,
}


def _longest_first(items: list[T], name: str) -> list[T]:
    return sorted(items, key=lambda item: -len(str(getattr(item, name))))


def city_events(now: datetime) -> list[AnyEvent]:
    """A day of the simulated city, and a headline count with decimals (tourist visits are
    reported as averages) that the wall must show as a whole number."""
    events = list(
        itertools.islice(
            city_feed(PROFILE, SimulationConfig(now - timedelta(hours=20), seed=916)), 2500
        )
    )
    for n, (period, value) in enumerate([("2024", 1_050_112.5), ("2025", 1_234_567.67)]):
        events.append(
            IndicatorEvent.model_validate(
                indicator_document(
                    event_id=f"wall-fit-visits-{n}",
                    indicator_id="tourist-visits",
                    name="Kunjungan wisatawan",
                    dimension="branding",
                    value=value,
                    unit="visits",
                    period=period,
                    target=500_000,
                    direction="higher_is_better",
                    data_source="Disporapar",
                    occurred_at=(now - timedelta(minutes=10 - n)).isoformat(),
                )
            )
        )
    return events


async def write_state(store: StateStore, events: list[AnyEvent]) -> None:
    by_topic: dict[str, list[tuple[int, EitherEvent]]] = defaultdict(list)
    for event in events:
        batch = by_topic[TOPIC_OF_KIND[event.kind]]
        batch.append((len(batch), event))
    await store.commit(
        [PartitionBatch(topic, 0, len(batch) - 1, batch) for topic, batch in by_topic.items()]
    )


def publish_newest(settings: Settings, now: datetime, count: int = 12) -> None:
    """Complaints with the longest category and kelurahan names, for the newest list."""
    feed = city_feed(PROFILE, SimulationConfig(now - timedelta(minutes=30), seed=917))
    template = next(e for e in feed if isinstance(e, ComplaintEvent))
    category = _longest_first(PROFILE.categories, "label_id")[0]
    kecamatan = next(
        k for k in PROFILE.kecamatan if any(kel.key == "gunung-gedangan" for kel in k.kelurahan)
    )
    with EventPublisher(settings, PROFILE, client_id="test-wall-fit") as publisher:
        for n in range(count):
            publisher.publish_confirmed(
                ComplaintEvent.model_validate(
                    {
                        **template.model_dump(mode="json"),
                        "event_id": f"wall-fit-{now.timestamp():.0f}-{n}",
                        "complaint_id": f"MJK-FIT-{now.timestamp():.0f}-{n}",
                        "category": category.key,
                        "dimension": category.dimension.value,
                        "agency": category.agency,
                        "kecamatan": kecamatan.key,
                        "kelurahan": "gunung-gedangan",
                        "status": "reopened" if n % 2 else "verified",
                        "occurred_at": (now - timedelta(minutes=count - n)).isoformat(),
                        "produced_at": now.isoformat(),
                    }
                )
            )


def _subjects() -> list[tuple[str, str, str | None]]:
    """(group, value, dimension) of every spike the profile allows, longest names first."""
    dimensions = [
        ("dimension", d.key.value, d.key.value)
        for d in _longest_first(PROFILE.dimensions, "label_id")
    ]
    categories = [
        ("category", c.key, c.dimension.value)
        for c in _longest_first(PROFILE.categories, "label_id")
    ]
    areas = [("kecamatan", k.key, None) for k in _longest_first(PROFILE.kecamatan, "name")]
    return [*categories[:1], *dimensions, *categories[1:], *areas]


def active_alerts(count: int, now: datetime) -> list[AlertRecord]:
    """`count` active spike alerts with four-digit counts, every fifth acknowledged."""
    records = []
    for n, (group, value, dimension) in zip(
        range(count), itertools.cycle(_subjects()), strict=False
    ):
        fingerprint = f"complaint-spike:{group}:{value}:fit-{n}"
        event = AlertEvent.model_validate(
            alert_document(
                fingerprint=fingerprint,
                event_id=f"{fingerprint}:firing",
                group=group,
                value=value,
                dimension=dimension,
                window_minutes=15,
                observed=1029 + n,
                expected=310.5,
                started_at=(now - timedelta(seconds=n)).isoformat(),
            )
        )
        record = from_stream(None, event)
        assert record is not None
        if n % 5 == 4:
            record = acknowledge(record, "operator-7 (Ruang Komando)", now) or record
        records.append(record)
    return records


def replace_alerts(client: redis.Redis, prefix: str, records: list[AlertRecord]) -> None:
    """Make `records` the only alerts, announcing each change as the notifier does."""
    store = AlertStore(client, KeySpace(prefix))
    for old in store.all(include_resolved=True):
        client.delete(store.key(old.fingerprint))
        client.zrem(store.index, old.fingerprint)
    client.publish(store.changes_channel, "cleared")
    for record in records:
        store.update(record.fingerprint, _replace_with(record))


def _replace_with(record: AlertRecord) -> Change:
    return lambda _: record


def now_utc() -> datetime:
    return datetime.now(UTC)
