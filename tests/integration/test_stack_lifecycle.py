"""`pantau stack up | status | down` on a stack of its own, with real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.stack.errors import StackError
from deploy.stack.manager import Stack
from pantau.contract.settings import Settings
from pantau.contract.topics import ALL_TOPICS
from tests.conftest import stack_settings


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "PANTAU_KAFKA_CONTROLLER_PORT": str(settings.kafka_controller_port),
        "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
        "PANTAU_PROMETHEUS_PORT": str(settings.prometheus_port),
        "PANTAU_ALERTMANAGER_PORT": str(settings.alertmanager_port),
        "PANTAU_STATE_DIR": str(settings.state_dir),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "pantau", "stack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_up_status_check_down_and_purge(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path / "state", port_base=20000)
    messages: list[str] = []
    stack = Stack(settings, report=messages.append)
    try:
        first = stack.up()
        assert [s.state for s in first] == ["healthy"] * 4
        pids = {s.name: s.pid for s in first}
        assert any(m.startswith("created topics:") for m in messages)

        messages.clear()
        second = stack.up()
        assert {s.name: s.pid for s in second} == pids, "a second up must not restart anything"
        assert sum("already healthy" in m for m in messages) == 4
        assert not any(m.startswith("created topics:") for m in messages)

        status = _cli(settings, "status")
        assert status.returncode == 0, status.stdout + status.stderr
        for name, pid in pids.items():
            assert name in status.stdout and str(pid) in status.stdout
        listing = subprocess.run(
            ["kcat", "-b", settings.kafka_bootstrap, "-L"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        for spec in ALL_TOPICS:
            assert f'topic "{spec.name}" with {spec.partitions} partitions' in listing.stdout
        check = _cli(settings, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout.count(" ok ") == 4

        down = _cli(settings, "down")
        assert down.returncode == 0, down.stderr
        assert not any(pid is not None and _alive(pid) for pid in pids.values())
        assert [s.state for s in stack.status()] == ["stopped"] * 4
        assert _cli(settings, "status").returncode == 1
        assert (settings.state_dir / "kafka" / "log" / "meta.properties").exists(), "data kept"

        messages.clear()
        stack.up()
        assert not any(m.startswith("created topics:") for m in messages), "topics survived"
    finally:
        stack.down(purge=True)
    assert not settings.state_dir.exists()


def test_a_port_held_by_a_process_it_did_not_start_is_refused(
    live_stack: Settings, tmp_path: Path
) -> None:
    intruder = Stack(live_stack.model_copy(update={"state_dir": tmp_path / "other"}))
    with pytest.raises(StackError, match="did not start"):
        intruder.up()
    assert intruder.down() == [], "down must never stop processes another stack started"
    assert all(s.state == "healthy" for s in Stack(live_stack).status())


def test_a_service_that_cannot_start_fails_up_with_its_log_tail(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path / "state", port_base=25000)
    _, redis_port = settings.redis_address
    stack = Stack(settings, report=lambda _: None)
    # Something that holds Redis' port but never answers PING: redis-server cannot bind.
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", redis_port))
        squatter.listen()
        try:
            with pytest.raises(StackError) as raised:
                stack.up()
        finally:
            stack.down(purge=True)
    assert raised.value.service == "redis"
    assert raised.value.reason == "exited while starting"
    assert "Address already in use" in raised.value.log_tail
