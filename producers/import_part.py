"""A part process of a shared import (producers/import_parallel.py): checks and publishes
the lines it is handed, then reports its count, rejects and delivery failures."""

from __future__ import annotations

import os
import sys
from typing import Any

from pantau.contract.errors import ContractError
from pantau.contract.events import encode_event
from pantau.publisher import PublishError
from producers.import_parallel import PartOutcome, portable, read_frame, write_frame
from producers.importer import Rejected, checked_line


def main(index: int) -> None:
    """A part process: check and publish the lines it is handed."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to standard error, not into the frames
    inbox = sys.stdin.buffer
    task: Any = read_frame(inbox)
    settings, profile, kind, source, now, client_id, make_publisher = task
    outcome = PartOutcome()
    try:
        with make_publisher(settings, client_id=f"{client_id}-{index}") as publisher:
            while (chunk := _lines(read_frame(inbox))) is not None:
                for number, raw in chunk:
                    line, text, checked = checked_line(number, raw, kind, profile, source, now)
                    if isinstance(checked, ContractError):
                        outcome.rejected.append(Rejected(line, checked.problems, text))
                    else:
                        publisher.publish_checked(checked, encode_event(checked))
                        outcome.published += 1
            try:
                publisher.flush()
            except PublishError as error:
                outcome.failures = error.failures
    except Exception as error:
        write_frame(out, portable(error))
        return
    write_frame(out, outcome)


def _lines(frame: object) -> list[tuple[int, str]] | None:
    assert frame is None or isinstance(frame, list)
    return frame


if __name__ == "__main__":
    main(int(sys.argv[1]))
