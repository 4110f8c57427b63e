"""What the local stack lets in: Redis admits only Pantau's user, and that user only to
names starting with `pantau` and to no dangerous command; Kafka's SASL_SSL listener
carries Pantau's events for the right password and refuses a wrong one."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from kafka import KafkaProducer
from kafka.errors import KafkaError as KafkaPythonError
from pydantic import SecretStr

from pantau.contract.connections import kafka_options
from pantau.contract.settings import Settings
from pantau.contract.topics import TOPIC_OF_KIND
from pantau.publisher import EventPublisher
from producers.simulator.feed import SimulationConfig, city_feed
from tests.integration.worker_helpers import (
    PROFILE,
    START,
    assert_same_state,
    read_redis_state,
    rebuild_from_log,
    start_worker,
    stop,
    wait_caught_up,
)


def _client(settings: Settings, **overrides: object) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url.get_secret_value(), **overrides)


def test_redis_refuses_the_default_user_and_a_wrong_password(live_stack: Settings) -> None:
    host, port = live_stack.redis_address
    anonymous = redis.Redis(host=host, port=port)
    with pytest.raises(redis.AuthenticationError):
        anonymous.set("pantau:anonymous", 1)
    user = urlsplit(live_stack.redis_url.get_secret_value()).username
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host=host, port=port, username=user, password="not-the-password").ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host=host, port=port, username="default", password="").ping()


def test_pantaus_user_reaches_only_its_names_and_no_dangerous_command(
    live_stack: Settings,
) -> None:
    client = _client(live_stack)
    client.set("pantau-t-security:probe", "ok", ex=60)
    assert client.get("pantau-t-security:probe") == b"ok"
    assert client.publish("pantau-t-security:changes", "{}") >= 0
    refused: dict[str, Callable[[], object]] = {
        "write outside the prefix": lambda: client.set("other-app:key", 1),
        "read outside the prefix": lambda: client.get("other-app:key"),
        "publish outside the prefix": lambda: client.publish("other-app:channel", "x"),
        "FLUSHALL": lambda: client.flushall(),
        "FLUSHDB": lambda: client.flushdb(),
        "CONFIG GET": lambda: client.config_get("requirepass"),
        "CONFIG SET": lambda: client.config_set("appendonly", "no"),
        "KEYS": lambda: client.keys("*"),
        "ACL LIST": lambda: client.acl_list(),
        "SHUTDOWN": lambda: client.shutdown(nosave=True),
    }
    allowed = []
    for name, attempt in refused.items():
        try:
            attempt()
            allowed.append(name)
        except redis.exceptions.NoPermissionError:
            pass
    assert not allowed, f"Pantau's Redis user may {allowed}"
    # Still up, AOF still on: nothing above got through.
    assert client.info("persistence")["aof_enabled"] == 1


def _over_sasl_ssl(settings: Settings, password: str | None = None) -> Settings:
    """The same stack reached on its SASL_SSL listener, trusting the stack's own CA."""
    assert settings.kafka_sasl_password is not None
    return settings.model_copy(
        update={
            "kafka_bootstrap": f"127.0.0.1:{settings.kafka_sasl_port}",
            "kafka_security": "sasl_ssl",
            "kafka_ssl_cafile": settings.state_dir.resolve() / "kafka" / "tls" / "ca.pem",
            "kafka_sasl_password": SecretStr(password)
            if password is not None
            else settings.kafka_sasl_password,
        }
    )


async def test_kafka_over_sasl_ssl_carries_events_and_a_worker_applies_them(
    live_stack: Settings, tmp_path: Path
) -> None:
    secure = _over_sasl_ssl(live_stack)
    log = tmp_path / "worker.log"
    events = list(itertools.islice(city_feed(PROFILE, SimulationConfig(START, seed=601)), 200))
    with EventPublisher(secure, PROFILE, client_id="test-sasl") as publisher:
        partition, offset = publisher.publish_confirmed(events[0])
        for event in events[1:]:
            publisher.publish(event)
    assert offset >= 0
    consumer = AIOKafkaConsumer(
        bootstrap_servers=secure.kafka_bootstrap, enable_auto_commit=False, **kafka_options(secure)
    )
    await consumer.start()
    try:
        tp = TopicPartition(TOPIC_OF_KIND[events[0].kind].name, partition)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        seen: set[str] = set()
        async with asyncio.timeout(30):
            while events[0].event_id not in seen:
                for record in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
                    seen.add(json.loads(record.value)["event_id"])
    finally:
        await consumer.stop()
    # The whole worker (Faust, its producer for dead letters) over SASL_SSL too.
    worker = start_worker(secure, "pantau-t-sasl", "pantau-t-sasl", 16640, log)
    try:
        await wait_caught_up(live_stack, "pantau-t-sasl", timeout=180)
        assert worker.poll() is None
        assert_same_state(
            read_redis_state(live_stack, "pantau-t-sasl"), await rebuild_from_log(live_stack)
        )
    finally:
        stop(worker)
        print(log.read_text(errors="replace")[-3000:])


async def test_kafka_refuses_a_wrong_password_and_plaintext_on_the_tls_port(
    live_stack: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = _over_sasl_ssl(live_stack, password="not-the-password")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=wrong.kafka_bootstrap, request_timeout_ms=5000, **kafka_options(wrong)
    )
    with pytest.raises(KafkaError):
        await consumer.start()
    await consumer.stop()
    # aiokafka reports the broker's reason in its log and raises a connection error.
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in caplog.text
    plaintext = wrong.model_copy(update={"kafka_security": "plaintext"})
    with pytest.raises(KafkaPythonError):
        KafkaProducer(
            bootstrap_servers=plaintext.kafka_bootstrap,
            request_timeout_ms=5000,
            **kafka_options(plaintext),
        )
