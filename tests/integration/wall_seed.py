"""A city state, active incidents and alerts and the newest complaints for the wall,
written where the wall reads them (Redis through the state store, the incident log and
the alert store; the complaints topic),
with the longest names the profile has: the worst case for the layout."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import redis

from consumers.alerts.alertmanager import AlertmanagerAlert, from_alertmanager
from consumers.alerts.lifecycle import acknowledge
from pantau.contract.alerts import AlertEvent
from pantau.contract.events import AnyEvent, ComplaintEvent, IndicatorEvent
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, INDICATORS, PROGRAMS
from pantau.contract.wire import EitherEvent
from pantau.publisher import EventPublisher
from pantau.state.alerts import AlertRecord, AlertStore, Change
from pantau.state.incident_log import IncidentLog
from pantau.state.incident_view import incident_views
from pantau.state.store import PartitionBatch, StateStore
from producers.simulator.feed import SimulationConfig, city_feed
from tests.factories import alert_document, complaint_document, indicator_document
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
    # Complaints received ten days ago and never forwarded: past the desk's deadline, so
    # the cards and tiles show their overdue marks (a two-digit count in Wates).
    forgotten = now - timedelta(days=10)
    for n, kelurahan in enumerate(["wates"] * 12 + ["meri", "blooto", "gedongan"]):
        events.append(ComplaintEvent.model_validate(complaint_document(
            event_id=f"wall-fit-overdue-{n}", complaint_id=f"MJK-FIT-OVERDUE-{n}",
            kelurahan=kelurahan, kecamatan=PROFILE.kecamatan_of_kelurahan[kelurahan],
            occurred_at=(forgotten + timedelta(minutes=n)).isoformat(),
        )))  # fmt: skip
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


def _spike(group: str, value: str, dimension: str | None, at: datetime, n: int) -> AlertEvent:
    fingerprint = f"complaint-spike:{group}:{value}"
    return AlertEvent.model_validate(
        alert_document(
            fingerprint=fingerprint,
            event_id=f"{fingerprint}:firing:{n}",
            group=group,
            value=value,
            dimension=dimension,
            window_minutes=15,
            observed=1029 + n,
            expected=310.5,
            started_at=at.isoformat(),
            occurred_at=(at + timedelta(minutes=1)).isoformat(),
        )
    )


def _surges(count: int, now: datetime) -> list[list[AlertEvent]]:
    """Up to seven incidents, each as the spikes that form it: the city's kecamatan
    spiking together first (an area incident), then each dimension with its categories,
    longest names first."""
    start = now - timedelta(hours=1)
    areas = [
        _spike("kecamatan", k.key, None, start, n)
        for n, k in enumerate(_longest_first(PROFILE.kecamatan, "name"))
    ]
    surges = []
    for d, dimension in enumerate(_longest_first(PROFILE.dimensions, "label_id")):
        at = start + timedelta(minutes=20 + d)  # past the areas' wait: incidents of their own
        key = dimension.key.value
        categories = [c for c in PROFILE.categories if c.dimension.value == key]
        surges.append(
            [
                _spike("dimension", key, key, at, d),
                *(_spike("category", c.key, key, at, d) for c in categories[:3]),
            ]
        )
    ordered = [*surges[:1], areas, *surges[1:]]  # a single incident is a dimension's
    return ordered[:count]


def _pipeline_alert(n: int, now: datetime) -> AlertRecord:
    """A pipeline alert as Alertmanager delivers it, with a long summary."""
    alert = AlertmanagerAlert(
        status="firing",
        labels={"alertname": "PantauConsumerLagGrowing", "severity": ("critical", "warning")[n % 2],
                "topic": f"pantau.complaints-{n}"},
        annotations={"summary": f"pantau.complaints-{n} falls behind: 1029 events waiting",
                     "summary_id": f"pantau.complaints-{n} tertinggal: 1029 kejadian menunggu"},
        startsAt=now - timedelta(seconds=n),
        fingerprint=f"fit{n:04d}",
    )  # fmt: skip
    record = from_alertmanager(None, alert)
    assert record is not None
    return record


def replace_alerts(client: redis.Redis, prefix: str, count: int, now: datetime) -> None:
    """Make `count` items the wall's only alerts: incidents first (up to seven), then
    pipeline alerts; every fifth acknowledged. Each change is announced as the notifier
    announces it."""
    keys = KeySpace(prefix)
    store, log = AlertStore(client, keys), IncidentLog(client, keys)
    for old in store.all(include_resolved=True):
        client.delete(store.key(old.fingerprint))
        client.zrem(store.index, old.fingerprint)
    client.delete(keys.incident_changes, keys.incident_acknowledgements, keys.incident_notified)
    client.publish(store.changes_channel, "cleared")
    surges = _surges(count, now)
    for events in surges:
        for event in events:
            log.append(event)
    views = incident_views(log.events(), {}, PROFILE)
    for n, view in enumerate(sorted(views, key=lambda v: v.started_at)):
        if n % 5 == 4:
            log.acknowledge(view.incident_id, "operator-7 (Ruang Komando)", now)
    for n in range(len(surges), count):
        record = _pipeline_alert(n, now)
        if n % 5 == 4:
            record = acknowledge(record, "operator-7 (Ruang Komando)", now) or record
        store.update(record.fingerprint, _replace_with(record))


def _replace_with(record: AlertRecord) -> Change:
    return lambda _: record


def now_utc() -> datetime:
    return datetime.now(UTC)
