"""`pantau stack up | status | down`: the local stack's lifecycle, in dependency order."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

from deploy.stack.errors import StackError
from deploy.stack.install import Report, ensure_command
from deploy.stack.services import SERVICE_ORDER, Service, StatePaths
from deploy.stack.topics import ensure_topics
from pantau.contract.settings import Settings


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    address: str
    pid: int | None
    healthy: bool

    @property
    def state(self) -> str:
        if self.pid is None:
            return "foreign" if self.healthy else "stopped"
        return "healthy" if self.healthy else "unhealthy"


class Stack:
    def __init__(self, settings: Settings, report: Report = print) -> None:
        self.settings = settings
        self.paths = StatePaths.for_settings(settings)
        self.report = report
        self.services: list[Service] = [cls(settings, self.paths, report) for cls in SERVICE_ORDER]

    def install(self) -> None:
        """Install every service's programs, the operators' kcat and the headless chromium
        that checks the wall page, without starting any."""
        for service in self.services:
            service.install()
        ensure_command("kcat", "kcat", self.report)
        ensure_command("chromium", "chromium", self.report)

    def up(self) -> list[ServiceStatus]:
        """Start what is not running, wait for health, create topics. Idempotent."""
        for service in self.services:
            self._bring_up(service)
        created = ensure_topics(self.settings.kafka_bootstrap)
        if created:
            self.report(f"created topics: {', '.join(created)}")
        return self.status()

    def status(self) -> list[ServiceStatus]:
        return [
            ServiceStatus(s.name, s.address, s.process.pid(), s.healthy()) for s in self.services
        ]

    def down(self, *, purge: bool = False) -> list[str]:
        """Stop the processes `up` started, last first; `purge` also removes their data."""
        stopped = [s.name for s in reversed(self.services) if s.process.stop()]
        if purge and self.paths.root.exists():
            shutil.rmtree(self.paths.root)
        return stopped

    def _bring_up(self, service: Service) -> None:
        pid = service.process.pid()
        if service.healthy():
            if pid is None:
                raise StackError(
                    service.name,
                    f"{service.address} already answers, from a process this stack did not "
                    "start; stop it or choose another port in the PANTAU_ settings",
                )
            self.report(f"{service.name} is already healthy (pid {pid})")
            return
        if pid is None:
            argv = service.prepare()
            self.report(f"starting {service.name} on {service.address}")
            pid = service.process.start(argv)
        self._wait_healthy(service, pid)
        self.report(f"{service.name} is healthy (pid {pid})")

    def _wait_healthy(self, service: Service, pid: int) -> None:
        deadline = time.monotonic() + service.start_timeout
        while time.monotonic() < deadline:
            if service.healthy():
                return
            if service.process.exited(pid):
                raise StackError(service.name, "exited while starting", service.process.log_tail())
            time.sleep(0.5)
        raise StackError(
            service.name,
            f"not healthy after {service.start_timeout:.0f} s",
            service.process.log_tail(),
        )
