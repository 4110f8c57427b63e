"""A background process that `pantau stack up` started: its pid file, log and lifecycle.

Only processes whose pid file names them, and whose command line still mentions the
state folder, are ever signalled, so a reused pid is never mistaken for ours.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class ManagedProcess:
    name: str
    run_dir: Path
    log_dir: Path
    marker: str  # a string every command line of ours contains: the state folder

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def open_log(self) -> BinaryIO:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self.log_file.open("ab")

    def start(self, argv: list[str], *, env: dict[str, str] | None = None) -> int:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with self.open_log() as log:
            # A session of its own: Ctrl-C in the shell that ran `up` must not stop it.
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        self.pid_file.write_text(f"{child.pid}\n")
        return child.pid

    def pid(self) -> int | None:
        """The pid of our running process, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _is_ours(pid, self.marker) else None

    def exited(self, pid: int) -> bool:
        """Whether the process with this pid is gone (its command line is not checked:
        right after exec some servers rewrite it)."""
        _reap(pid)
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return True
        return state == "Z"

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM, then SIGKILL after `timeout`; True if a process was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _is_ours(pid, self.marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_ours(pid, self.marker):
            os.kill(pid, signal.SIGKILL)
            while _is_ours(pid, self.marker):
                time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 30) -> str:
        try:
            with self.log_file.open(encoding="utf-8", errors="replace") as log:
                return "".join(deque(log, maxlen=lines))
        except FileNotFoundError:
            return "(no log written)"


def _is_ours(pid: int, marker: str) -> bool:
    _reap(pid)
    proc = Path(f"/proc/{pid}")
    try:
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z" and marker in cmdline


def _reap(pid: int) -> None:
    # When the process that started a service also stops it (a test session), the
    # child must be reaped or it lingers as a zombie.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
