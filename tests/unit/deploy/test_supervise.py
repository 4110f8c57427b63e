"""The supervisor that keeps each of the main job's roles running: a killed role comes
back with a line in its log, a crash loop backs off, stopping leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from functools import partial
from pathlib import Path

from deploy.supervise import Backoff, Supervisor, exit_status
from tests.integration.servers import eventually
from tests.supervised import alive, role_pid, start_supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_the_pause_doubles_while_runs_fail_and_resets_after_a_healthy_run() -> None:
    backoff = Backoff(first=2, longest=60, healthy_run=60)
    pauses: list[float | None] = [None]
    for _ in range(7):
        pauses.append(backoff.next(pauses[-1], ran_for=1))
    assert pauses[1:] == [2, 4, 8, 16, 32, 60, 60]
    assert backoff.next(60, ran_for=61) == 2


def test_exit_status_reads_as_a_shell_reports_it() -> None:
    assert exit_status(1) == "status 1"
    assert exit_status(-signal.SIGKILL) == "status 137 (SIGKILL)"


def test_a_killed_role_comes_back_and_the_log_says_so(tmp_path: Path) -> None:
    log = tmp_path / "sleeper.log"
    supervisor = start_supervisor("sleeper", log, SLEEPER)
    try:
        first = eventually(partial(role_pid, supervisor), 20, "the role starts")
        os.kill(first, signal.SIGKILL)
        line = re.compile(
            r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d sleeper exited with status 137 "
            r"\(SIGKILL\); restarting in 2 s$",
            re.MULTILINE,
        )
        eventually(lambda: line.search(log.read_text()), 20, "the exit is logged")
        second = eventually(
            lambda: (pid := role_pid(supervisor)) not in (None, first) and pid, 20, "restarted"
        )
        assert alive(second)

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(20) == 0
        assert not alive(second), "the role outlived its supervisor"
        assert log.read_text().endswith(" sleeper stopped\n")
    finally:
        supervisor.kill()
        supervisor.wait()


def test_a_role_dies_with_a_supervisor_that_was_killed(tmp_path: Path) -> None:
    supervisor = start_supervisor("sleeper", tmp_path / "sleeper.log", SLEEPER)
    role = eventually(partial(role_pid, supervisor), 20, "the role starts")
    supervisor.kill()
    supervisor.wait()
    eventually(lambda: not alive(role), 10, "the orphaned role is stopped")


def test_a_crash_loop_backs_off(tmp_path: Path) -> None:
    log = tmp_path / "crasher.log"
    crasher = [sys.executable, "-c", "raise SystemExit(3)"]
    supervisor = Supervisor("crasher", crasher, log, Backoff(first=0.1, longest=0.4))
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        eventually(lambda: log.exists() and log.read_text().count("exited") >= 4, 30, "4 exits")
    finally:
        supervisor.stop()
        runner.join(10)
    pauses = re.findall(r"crasher exited with status 3; restarting in ([\d.]+) s", log.read_text())
    assert pauses[:4] == ["0.1", "0.2", "0.4", "0.4"]
