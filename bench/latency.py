"""Event-to-state latency under load: events published at a steady rate while a worker
keeps up; each event's time runs from its send to the Redis change notice that covers
its offset. And event to wall: from a send to the wall page's server-sent update."""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import confluent_kafka
import httpx
import redis
from kafka import KafkaProducer

from pantau.contract.city import CityProfile
from pantau.contract.connections import kafka_options
from pantau.contract.events import AnyEvent, ComplaintEvent, encode_event
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, TOPIC_OF_KIND
from producers.simulator.feed import SimulationConfig, city_feed


def _fresh_events(profile: CityProfile, seed: int) -> Iterator[AnyEvent]:
    start = datetime.now(UTC)
    return city_feed(profile, SimulationConfig(start, seed=seed, complaints_per_day=20_000))


# Events are sent in small bursts on a fixed tick rather than one sleep per event, which
# at 12,500 events/s would be an 80 us sleep the driver itself cannot keep.
TICK_SECONDS = 0.005


# Events simulated once per run and sent again under new ids: five minutes at 12,500/s
# would otherwise take minutes and gigabytes to simulate.
TEMPLATE_EVENTS = 250_000
Wire = tuple[str, bytes, bytes]  # topic, key, value
Wait = tuple[float, float]  # seconds from the run's start to the send; send to state


def _load(profile: CityProfile, seed: int, count: int) -> list[Wire]:
    """`count` fresh events: the simulator's, then copies renumbered until enough."""
    template = [
        (TOPIC_OF_KIND[e.kind].name, e.entity_id.encode(), encode_event(e))
        for e in itertools.islice(_fresh_events(profile, seed), min(count, TEMPLATE_EVENTS))
    ]
    wire = list(template)
    for copy in itertools.count(1):
        if len(wire) >= count:
            break
        mark = f"{copy:03d}".encode()
        wire += [_renumbered(event, mark) for event in template]
    return wire[:count]


def _renumbered(event: Wire, mark: bytes) -> Wire:
    """The event under new ids of the same length: its event id ("sim-...") and, for a
    complaint, its complaint id (the key) begin with `mark` instead."""
    topic, key, value = event
    value = value.replace(b'"sim-', b'"' + mark + b"-", 1)
    if topic == COMPLAINTS.name:
        renamed = mark + key[len(mark) :]
        value = value.replace(b'"' + key + b'"', b'"' + renamed + b'"', 1)
        key = renamed
    return topic, key, value


def state_latency(settings: Settings, profile: CityProfile, prefix: str, rate: float,
                  seconds: float, seed: int,
                  halfway: Callable[[], None] | None = None) -> list[Wait]:  # fmt: skip
    """Each event's time from its send to the change notice covering its offset (with
    when it was sent, from the run's start), events sent at `rate` for `seconds`;
    `halfway` runs once in the middle of the run."""
    # Per partition, (offset, send time) in offset order: librdkafka reports deliveries of
    # a partition in the order it wrote them.
    sent: dict[tuple[str, int], deque[tuple[int, float]]] = {}
    lock = threading.Lock()
    latencies: list[Wait] = []
    notices = redis.Redis.from_url(settings.redis_url.get_secret_value()).pubsub()  # type: ignore[no-untyped-call]
    notices.subscribe(KeySpace(prefix).changes_channel)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            message = notices.get_message(timeout=0.2)
            if not message or message["type"] != "message":
                continue
            arrived = time.perf_counter()
            notice = json.loads(message["data"])
            covered = []
            with lock:  # only the events this notice covers are looked at
                pending = sent.get((notice["topic"], notice["partition"]))
                while pending and pending[0][0] <= notice["offset"]:
                    covered.append(pending.popleft()[1])
            latencies.extend((t - started, arrived - t) for t in covered)

    # Made before the clock starts, so the driver's own work is only the send.
    wire = _load(profile, seed, int(rate * seconds))
    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    producer = _load_producer(settings)
    per_tick = rate * TICK_SECONDS
    started = time.perf_counter()
    done = 0
    for tick in itertools.count(1):
        if done >= len(wire):
            break
        if halfway is not None and done >= len(wire) // 2:
            halfway()
            halfway = None
        stamped = time.perf_counter()

        def record(error: Any, message: Any, at: float = stamped) -> None:
            if error is None:
                with lock:
                    sent.setdefault((message.topic(), message.partition()), deque()).append(
                        (message.offset(), at)
                    )

        for topic, key, value in wire[done : int(tick * per_tick)]:
            producer.produce(topic, value, key, on_delivery=record)
        done = min(len(wire), int(tick * per_tick))
        producer.poll(0)  # delivery reports of earlier ticks
        time.sleep(max(0.0, started + tick * TICK_SECONDS - time.perf_counter()))
    producer.flush(30)
    time.sleep(2)  # the last notices
    stop.set()
    listener.join()
    return latencies


def _load_producer(settings: Settings) -> Any:
    """The load generator's producer: librdkafka, whose own threads send, so that the
    generator keeps its rate and the measure is the worker's, not the driver's (a
    pure-Python producer sharing the interpreter with the notice listener sent in bursts
    of over a second at 2,000 events/s here)."""
    if settings.kafka_security != "plaintext":
        raise RuntimeError("the latency runs need the bench stack's plaintext listener")
    return confluent_kafka.Producer({
        "bootstrap.servers": settings.kafka_bootstrap, "acks": "all", "linger.ms": 1,
        "enable.idempotence": True, "compression.type": "lz4",
    })  # fmt: skip


def wall_latency(settings: Settings, profile: CityProfile, wall_url: str, samples: int,
                 seed: int) -> list[float]:  # fmt: skip
    """A complaint at a time; the time until the wall's stream shows it counted."""
    snapshots: queue.Queue[dict[str, object]] = queue.Queue()
    stop = threading.Event()

    def read_stream() -> None:
        with httpx.stream("GET", f"{wall_url}/events", timeout=None) as stream:
            for line in stream.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("data:"):
                    snapshots.put(json.loads(line[5:]))

    threading.Thread(target=read_stream, daemon=True).start()
    latest = snapshots.get(timeout=30)
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=0,
        **kafka_options(settings),
    )  # fmt: skip
    received = (e for e in _fresh_events(profile, seed)
                if isinstance(e, ComplaintEvent) and e.status == "received")  # fmt: skip
    latencies = []
    for event in itertools.islice(received, samples):
        dimension = event.dimension.value
        before = _open(latest, dimension)
        stamped = replace_time(event)
        sent = time.perf_counter()
        producer.send(TOPIC_OF_KIND["complaint"].name, key=event.entity_id.encode(),
                      value=encode_event(stamped)).get(timeout=30)  # fmt: skip
        while _open(latest, dimension) <= before:
            latest = snapshots.get(timeout=30)
        latencies.append(time.perf_counter() - sent)
        time.sleep(0.2)
    stop.set()
    producer.close()
    return latencies


def replace_time(event: ComplaintEvent) -> ComplaintEvent:
    now = datetime.now(UTC)
    return event.model_copy(update={"occurred_at": now, "produced_at": now})


def _open(snapshot: dict[str, object], dimension: str) -> int:
    for figures in snapshot["figures"]["dimensions"]:  # type: ignore[index]
        if figures["key"] == dimension:
            return int(figures["complaints"]["open"])
    return 0
