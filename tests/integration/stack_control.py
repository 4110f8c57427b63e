"""Killing and restarting the session stack's services from a test, as an operator's
mistake or a crashed host would."""

from __future__ import annotations

import os
import signal
import time

from deploy.stack.manager import Stack
from deploy.stack.services import Service
from pantau.contract.settings import Settings


def service(settings: Settings, name: str) -> Service:
    stack = Stack(settings, report=lambda message: None)
    return next(s for s in stack.services if s.name == name)


def kill(settings: Settings, name: str) -> None:
    """SIGKILL the service and wait until it is gone."""
    target = service(settings, name)
    pid = target.process.pid()
    assert pid is not None, f"{name} is not running"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not target.process.exited(pid):
        assert time.monotonic() < deadline, f"{name} (pid {pid}) outlived SIGKILL"
        time.sleep(0.05)


def restart(settings: Settings) -> None:
    """Start whatever is not running, from the data it left behind."""
    Stack(settings, report=lambda message: None).up()
