"""`pantau stack check`: one real round trip through each service of the stack.

A probe is published to the health-check topic with kafka-python and read back with
aiokafka (the client the stream agents use), key and headers included; a probe key is
written to and read from Redis; Prometheus must be scraping Alertmanager and itself.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import redis
from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaProducer

from pantau.contract.connections import kafka_options
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import HEALTHCHECK


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float


def run_checks(settings: Settings) -> list[CheckResult]:
    checks: list[tuple[str, Callable[[Settings], str]]] = [
        ("kafka", check_kafka),
        ("redis", check_redis),
        ("prometheus", check_prometheus),
        ("alertmanager", check_alertmanager),
    ]
    results = []
    for name, check in checks:
        started = time.perf_counter()
        try:
            detail, ok = check(settings), True
        except Exception as error:  # a failed check is reported, never raised
            detail, ok = f"{type(error).__name__}: {error}", False
        results.append(CheckResult(name, ok, detail, time.perf_counter() - started))
    return results


def check_kafka(settings: Settings) -> str:
    probe = uuid.uuid4().hex
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        **kafka_options(settings),
    )
    try:
        sent = producer.send(
            HEALTHCHECK.name,
            key=probe.encode(),
            value=b'{"probe":"' + probe.encode() + b'"}',
            headers=[("pantau-probe", probe.encode())],
        ).get(timeout=15)
    finally:
        producer.close()
    received = asyncio.run(_read_back(settings, sent.partition, sent.offset))
    if received != (probe.encode(), [("pantau-probe", probe.encode())]):
        raise RuntimeError(f"read back {received!r}, expected probe {probe}")
    return f"{HEALTHCHECK.name}[{sent.partition}]@{sent.offset} read back intact"


async def _read_back(
    settings: Settings, partition: int, offset: int
) -> tuple[bytes | None, list[tuple[str, bytes]]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        enable_auto_commit=False,
        **kafka_options(settings),
    )
    await consumer.start()
    try:
        topic_partition = TopicPartition(HEALTHCHECK.name, partition)
        consumer.assign([topic_partition])
        consumer.seek(topic_partition, offset)
        record = await asyncio.wait_for(consumer.getone(), timeout=15)
        return record.key, list(record.headers)
    finally:
        await consumer.stop()


def check_redis(settings: Settings) -> str:
    client = redis.Redis.from_url(settings.redis_url.get_secret_value(), socket_timeout=5)
    probe = uuid.uuid4().hex
    key = KeySpace(settings.redis_prefix).healthcheck(probe)
    try:
        client.set(key, probe, ex=60)
        if client.get(key) != probe.encode():
            raise RuntimeError(f"{key} did not read back")
        # INFO, not CONFIG: Pantau's Redis user may not run CONFIG (deploy/stack/redis_acl.py).
        policy = client.info("memory")["maxmemory_policy"]
        aof = "yes" if client.info("persistence")["aof_enabled"] else "no"
        client.delete(key)
    finally:
        client.close()
    if policy != "noeviction" or aof != "yes":
        raise RuntimeError(f"maxmemory-policy={policy}, appendonly={aof}")
    return "write and read back; appendonly=yes, maxmemory-policy=noeviction"


def check_prometheus(settings: Settings) -> str:
    url = f"http://127.0.0.1:{settings.prometheus_port}/api/v1/query"
    deadline = time.monotonic() + 30
    while True:
        answer = httpx.get(url, params={"query": "up"}, timeout=5).json()
        up = {sample["metric"]["job"]: sample["value"][1] for sample in answer["data"]["result"]}
        if up.get("prometheus") == "1" and up.get("alertmanager") == "1":
            return "scraping prometheus and alertmanager (up == 1)"
        if time.monotonic() > deadline:
            raise RuntimeError(f"targets not up after 30 s: {up}")
        time.sleep(1)


def check_alertmanager(settings: Settings) -> str:
    answer = httpx.get(
        f"http://127.0.0.1:{settings.alertmanager_port}/api/v2/status", timeout=5
    ).json()
    return f"version {answer['versionInfo']['version']}, cluster {answer['cluster']['status']}"
