"""Keep one role running: start it, and when it exits write why to its log and start it
again after a pause that doubles while it keeps failing (2 s up to 60 s), so a crash loop
does not spin. A run that lasted a minute counts as healthy and resets the pause.

    python -m deploy.supervise detector .pantau/logs/detector.log -- pantau run detect

SIGTERM or SIGINT stops the role (SIGTERM, then SIGKILL after 10 s) and then the
supervisor; the role is also told to stop if the supervisor itself is killed (Linux's
parent-death signal), so no role outlives the main job.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType

FIRST_PAUSE = 2.0
LONGEST_PAUSE = 60.0
HEALTHY_RUN = 60.0
STOP_GRACE = 10.0
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Backoff:
    first: float = FIRST_PAUSE
    longest: float = LONGEST_PAUSE
    healthy_run: float = HEALTHY_RUN

    def next(self, previous: float | None, ran_for: float) -> float:
        """The pause before the next start, given the last one and how long the run was."""
        if previous is None or ran_for >= self.healthy_run:
            return self.first
        return min(previous * 2, self.longest)


def exit_status(returncode: int) -> str:
    """As a shell reports it: a signal's death as 128 + its number, with its name."""
    if returncode >= 0:
        return f"status {returncode}"
    signal_number = -returncode
    return f"status {128 + signal_number} ({signal.Signals(signal_number).name})"


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the supervisor dies."""
    # Not Linux: no prctl, and the supervisor's own stop still applies.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(
        self, name: str, command: list[str], log: Path, backoff: Backoff | None = None
    ) -> None:
        self.name = name
        self.command = command
        self.log = log
        self.backoff = backoff or Backoff()
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None

    def run(self) -> None:
        pause: float | None = None
        while not self.stopping.is_set():
            started = time.monotonic()
            returncode = self._run_once()
            if returncode is None:  # stopped on request
                break
            pause = self.backoff.next(pause, time.monotonic() - started)
            self._note(f"{self.name} exited with {exit_status(returncode)}; "
                       f"restarting in {pause:g} s")  # fmt: skip
            self.stopping.wait(pause)
        self._note(f"{self.name} stopped")

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def _run_once(self) -> int | None:
        """The role's exit code, or None once it was stopped because we are stopping."""
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.command,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Safe here: the supervisor runs no thread of its own.
                preexec_fn=_die_with_parent,
            )
        while not self.stopping.wait(0.2):
            returncode = self.process.poll()
            if returncode is not None:
                return returncode
        self._terminate(self.process)
        return None

    def _terminate(self, process: subprocess.Popen[bytes]) -> None:
        process.terminate()
        try:
            process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _note(self, line: str) -> None:
        with self.log.open("a") as log:
            log.write(f"{datetime.now().astimezone().isoformat(timespec='seconds')} {line}\n")


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.supervise", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("name", help="The role's name in the log lines, e.g. detector.")
    parser.add_argument("log", type=Path, help="The file the role's output is appended to.")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- and the role's command.")
    parsed = parser.parse_args(arguments)
    command = parsed.command[1:] if parsed.command[:1] == ["--"] else parsed.command
    if not command:
        parser.error("give the role's command after --")
    parsed.log.parent.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(parsed.name, command, parsed.log)

    def stop(signal_number: int, frame: FrameType | None) -> None:
        supervisor.stop()

    # A shell starts background jobs with SIGINT ignored; Ctrl-C reaches us as the main
    # job's SIGTERM. In the foreground, Ctrl-C stops as well.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    supervisor.run()


if __name__ == "__main__":
    main(sys.argv[1:])
