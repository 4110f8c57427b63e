"""The cyclic garbage collector held off during a bulk fold.

A fold keeps what it builds (a record per entity), and each automatic collection would
walk all of it again: the more was folded, the slower each next event. Reference
counting still frees every ordinary object at once; only cycles wait until the end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic collection inside; the collector's state as it was after, also when
    the body raises. What existed before is frozen (set aside from collections) for the
    duration, so an explicit gc.collect() inside does not walk it either."""
    enabled = gc.isenabled()
    frozen_before = gc.get_freeze_count()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        # Unfreezing lets go of every frozen object: in a process that had frozen some of
        # its own before (as a forking server does), all stays frozen instead.
        if frozen_before == 0:
            gc.unfreeze()
        if enabled:
            gc.enable()
