"""`pantau audit verify` while the checkpointer works, against the real broker and Redis:
held between its topic write and its Redis write (the moment the two records differ), and
running freely under a feed while verify runs again and again. An auditor must never see a
finding where nothing was tampered with."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from kafka import KafkaProducer

from consumers.audit.chain import Checkpoint
from consumers.audit.checkpoint import Checkpointer
from consumers.audit.run import audit_verify, recorded_checkpoints, redis_heads
from pantau.context import Context
from pantau.contract.settings import Settings
from pantau.publisher import EventPublisher
from producers.simulator.feed import SimulationConfig, city_feed
from tests.integration.worker_helpers import PROFILE

PREFIX = "pantau-t-verify"


class HeldCheckpointer(Checkpointer):
    """Stops after its first checkpoint reached the topic, before Redis moves, until
    released."""

    def __init__(self, settings: Settings, client: redis.Redis, every: int) -> None:
        super().__init__(settings, client, every=every, interval=60)
        self.holding = threading.Event()
        self.release = threading.Event()

    def _publish(self, producer: KafkaProducer, checkpoint: Checkpoint) -> None:
        super()._publish(producer, checkpoint)
        if not self.holding.is_set():
            self.holding.set()
            assert self.release.wait(timeout=300), "never released"


def _feed(settings: Settings, seed: int, count: int) -> None:
    start = datetime.now(UTC) - timedelta(days=1)
    events = itertools.islice(city_feed(PROFILE, SimulationConfig(start, seed=seed)), count)
    with EventPublisher(settings, PROFILE, client_id=f"test-verify-{seed}") as publisher:
        for event in events:
            publisher.publish(event)


def _feed_until(settings: Settings, stop: threading.Event) -> None:
    """A steady trickle, so the checkpointer has work during every verify."""
    start = datetime.now(UTC) - timedelta(days=1)
    events = city_feed(PROFILE, SimulationConfig(start, seed=43))
    with EventPublisher(settings, PROFILE, client_id="test-verify-trickle") as publisher:
        while not stop.is_set():
            for event in itertools.islice(events, 50):
                publisher.publish(event)
            publisher.flush()
            stop.wait(0.05)


@pytest.fixture(scope="module")
def verified(live_stack: Settings) -> Iterator[tuple[Settings, redis.Redis]]:
    settings = live_stack.model_copy(update={"redis_prefix": PREFIX})
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    yield settings, client
    client.close()


async def test_verify_while_the_checkpointer_is_held_between_topic_and_redis(
    verified: tuple[Settings, redis.Redis],
) -> None:
    settings, client = verified
    _feed(settings, seed=41, count=1500)
    assert Checkpointer(settings, client, every=100).run(until_caught_up=True) > 0
    _feed(settings, seed=42, count=1500)

    held = HeldCheckpointer(settings, client, every=100)
    thread = threading.Thread(target=held.run, kwargs={"until_caught_up": True}, daemon=True)
    thread.start()
    try:
        assert held.holding.wait(timeout=120), "the checkpointer wrote no checkpoint"
        # The window itself: the topic holds a checkpoint the head in Redis does not stand on.
        heads = redis_heads(Context(settings))
        recorded = await recorded_checkpoints(settings)
        ahead = [shard for shard, head in heads.items()
                 if max(c.last_offset for c in recorded[shard]) >= head.next_offset]  # fmt: skip
        assert ahead, "no partition where the topic is ahead of Redis"

        during = await audit_verify(Context(settings))
        assert during.intact, during.findings
    finally:
        held.release.set()
        thread.join(timeout=300)
    assert not thread.is_alive()
    after = await audit_verify(Context(settings))
    assert after.intact, after.findings
    assert sum(report.covered for report in after.shards.values()) >= 3000


async def test_verify_never_alarms_while_the_checkpointer_runs_under_a_feed(
    verified: tuple[Settings, redis.Redis],
) -> None:
    settings, client = verified
    stop = threading.Event()
    checkpointer = Checkpointer(settings, client, every=20, interval=0.2)
    threads = [
        threading.Thread(target=checkpointer.run, kwargs={"stop": stop.is_set}, daemon=True),
        threading.Thread(target=_feed_until, args=(settings, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    results = []
    try:
        for _ in range(12):
            results.append(await audit_verify(Context(settings)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=300)
    assert [result.findings for result in results] == [[]] * 12
    assert checkpointer.written > 12, "the checkpointer was at work while verify ran"
