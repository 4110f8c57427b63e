"""Running `python -m deploy.supervise` in tests: its role's process, found from /proc."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_supervisor(
    name: str, log: Path, command: list[str], env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "deploy.supervise", name, str(log), "--", *command],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def role_pid(supervisor: subprocess.Popen[bytes]) -> int | None:
    """The supervised role's pid, while one runs."""
    children = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children")
    pids = children.read_text().split() if children.exists() else []
    return int(pids[0]) if pids else None


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    # A zombie has exited; only its parent has not collected it yet.
    return status.exists() and "State:\tZ" not in status.read_text()
