"""A stop asked for by SIGINT or SIGTERM, honoured by a loop at a point of its choosing.

Python turns SIGINT into a KeyboardInterrupt raised wherever the main thread happens to
be. Inside a client library that can be the middle of a connection's bootstrap, where
kafka-python loses the interrupted step and waits forever. A command that publishes
therefore takes the first signal as a request, looked at between events; a second signal
interrupts at once, for a command stuck where it never looks.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequestedError(Exception):
    """Raised by `raise_if_set` where a loop gives up its work for a requested stop."""


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """Within the block, SIGINT and SIGTERM set the returned event instead of interrupting;
    the handlers before it are put back on the way out."""
    stop = threading.Event()

    def ask(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {number: signal.signal(number, ask) for number in _SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def raise_if_set(stop: threading.Event) -> None:
    if stop.is_set():
        raise StopRequestedError
