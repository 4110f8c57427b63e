"""Every role keeps to PANTAU_REDIS_PREFIX: run each one under a fresh prefix against the
real Redis, make each write what it owns, and find no new key outside the prefix."""

from __future__ import annotations

import asyncio
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from deploy.stack.check import check_redis
from pantau.contract.alerts import AlertEvent
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.publisher import EventPublisher
from tests.factories import alert_document
from tests.integration.servers import eventually
from tests.integration.worker_helpers import publish_feed, stop, wait_caught_up, worker_env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _all_keys(client: redis.Redis) -> set[bytes]:
    return set(client.scan_iter(count=1000))


class Roles:
    """The long-running roles, each as `pantau run ROLE` in a process of its own."""

    def __init__(self, settings: Settings, prefix: str, logs: Path) -> None:
        self.ports = {
            role: _free_port()
            for role in ("worker", "wall", "intake", "alerts", "detect", "checkpoint")
        }
        # Nothing listens there: every delivery fails and is kept under the prefix.
        webhook = f"http://127.0.0.1:{_free_port()}/hook"
        self.env = {
            **worker_env(settings, prefix, prefix, self.ports["worker"]),
            "PANTAU_ALERTS_PORT": str(self.ports["alerts"]),
            "PANTAU_ALERT_WEBHOOKS": webhook,
            "PANTAU_WALL_PORT": str(self.ports["wall"]),
            "PANTAU_INTAKE_PORT": str(self.ports["intake"]),
            "PANTAU_DETECTOR_PORT": str(self.ports["detect"]),
            "PANTAU_CHECKPOINTER_PORT": str(self.ports["checkpoint"]),
            "PANTAU_INTAKE_AUTH_DISABLED": "true",
            "PANTAU_STATE_DIR": str(logs / "state"),
        }
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, role: str, *options: str) -> None:
        with (self.logs / f"{role}.log").open("ab") as log:
            self.processes[role] = subprocess.Popen(
                [sys.executable, "-m", "pantau", "run", role, *options],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def url(self, role: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[role]}{path}"

    def answers(self, role: str, path: str) -> bool:
        try:
            return httpx.get(self.url(role, path), timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop_all(self) -> None:
        for process in self.processes.values():
            stop(process)

    def tails(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}"
            for log in sorted(self.logs.glob("*.log"))
        )


@pytest.fixture
def prefix() -> str:
    return f"pantau-t-keys-{secrets.token_hex(4)}"


@pytest.fixture
def roles(live_stack: Settings, prefix: str, tmp_path: Path) -> Iterator[Roles]:
    running = Roles(live_stack, prefix, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()
        print(running.tails())


def test_every_role_writes_only_under_its_prefix(
    live_stack: Settings, prefix: str, roles: Roles, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = redis.Redis.from_url(live_stack.redis_url.get_secret_value())
    before = _all_keys(client)
    keys = KeySpace(prefix)

    roles.start("worker", "--loglevel", "warn")
    roles.start("detect", "--interval", "1")
    roles.start("alerts")
    roles.start("wall")
    roles.start("intake")
    roles.start("checkpoint", "--every", "50", "--interval", "0.5")
    for role, path in (("worker", "/health"), ("wall", "/health"), ("intake", "/health"),
                       ("alerts", "/alerts"), ("detect", "/health"),
                       ("checkpoint", "/health")):  # fmt: skip
        eventually(partial(roles.answers, role, path), 90, f"{role} answers")

    publish_feed(live_stack, seed=71, count=600)
    created = httpx.post(
        roles.url("intake", "/requests.json"),
        data={"service_code": "sampah", "attribute[kelurahan]": "wates",
              "lat": "-7.4711", "long": "112.4402"},
        timeout=30,
    )  # fmt: skip
    assert created.status_code == 200, created.text
    request_id = created.json()[0]["service_request_id"]
    fingerprint = f"complaint-spike:category:drainase-{secrets.token_hex(3)}"
    alert = AlertEvent.model_validate(
        alert_document(fingerprint=fingerprint, event_id=f"{fingerprint}:firing")
    )
    with EventPublisher(live_stack, client_id="pantau-keys-test") as publisher:
        publisher.publish_confirmed(alert)
    assert httpx.get(roles.url("wall", "/snapshot.json"), timeout=30).status_code == 200

    asyncio.run(wait_caught_up(live_stack, prefix))
    owned = {
        "detector state": keys.detector_state,
        "intake request": keys.intake_request(request_id),
        "intake index": keys.intake_requests,
        "alert record": keys.alert(fingerprint),
        "alert index": keys.alert_index,
        "undelivered webhooks": keys.undelivered_webhooks,
        "checkpointer mark": keys.checkpointer_alive,
        "audit head": keys.audit_head("pantau.complaints[0]"),
        "audit checkpoints": keys.audit_checkpoints("pantau.complaints[0]"),
    }
    for what, key in owned.items():
        eventually(partial(client.exists, key), 60, f"{what} {key}")

    # The stack check's probe lives for an instant; the keys it sent are noted as they go.
    sent: list[str] = []
    execute = redis.Redis.execute_command

    def noting(self: redis.Redis, *args: Any, **options: Any) -> Any:
        if args and str(args[0]).upper() in {"SET", "GET", "DEL"}:
            sent.append(args[1].decode() if isinstance(args[1], bytes) else str(args[1]))
        return execute(self, *args, **options)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(redis.Redis, "execute_command", noting)
    check_redis(live_stack.model_copy(update={"redis_prefix": prefix}))
    monkeypatch.undo()
    assert sent and all(key.startswith(f"{prefix}:healthcheck:") for key in sent), sent

    new = {key.decode() for key in _all_keys(client) - before}
    outside = sorted(key for key in new if not key.startswith(f"{prefix}:"))
    assert not outside, f"keys outside {prefix}: {outside[:20]}"
    # What follows the prefix: the owner's part, or after a partition's hash tag its kind.
    parts = [key.split(":") for key in new]
    seen = {p[2] if p[1].startswith("{") else p[1] for p in parts}
    kinds = {"offset", "rec", "agg", "detector", "alerts", "audit", "intake"}
    assert kinds <= seen, f"a role wrote nothing under {prefix}: {sorted(kinds - seen)}"
