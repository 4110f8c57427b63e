"""Shared fixtures. Integration tests get the real local stack, started once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before any Settings is read, here and in every command a test starts: the machine's .env
# (its demo stack's passwords and keys) is not the test session's.
os.environ["PANTAU_ENV_FILE"] = ""

from deploy.stack.isolated import isolated_settings
from deploy.stack.manager import Stack
from pantau.contract.settings import Settings

INTEGRATION_DIR = Path(__file__).parent / "integration"
# Two test sessions on one machine (two work trees, say) each need their own ports and
# folder: PANTAU_TEST_PORT_BASE moves the session's stack (the tests that start stacks of
# their own keep theirs).
SESSION_PORT_BASE = int(os.environ.get("PANTAU_TEST_PORT_BASE", "10000"))
SESSION_STATE_DIR = Path(__file__).parents[1] / ".pantau-test" / f"session-{SESSION_PORT_BASE}"


def stack_settings(state_dir: Path, port_base: int) -> Settings:
    return isolated_settings(state_dir, port_base)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def live_stack() -> Iterator[Settings]:
    """The real Kafka, Redis, Prometheus and Alertmanager, up for the whole session.

    A stack that cannot start fails the tests that need it; it is never skipped. Its state
    folder is fixed, so a session that died without cleaning up is cleaned up here first.
    """
    settings = stack_settings(SESSION_STATE_DIR, port_base=SESSION_PORT_BASE)
    stack = Stack(settings, report=lambda message: None)
    stack.down(purge=True)
    try:
        stack.up()
        yield settings
    finally:
        stack.down(purge=True)


@pytest.fixture
def worker_log(tmp_path: Path) -> Iterator[Path]:
    log = tmp_path / "worker.log"
    yield log
    # On failure the worker's own words are the first thing to read.
    print(log.read_text(errors="replace")[-5000:] if log.exists() else "(no worker log)")
