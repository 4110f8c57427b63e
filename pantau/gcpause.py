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
        if frozen_before == 0:
            # Freezing then unfreezing puts everything in the oldest generation, which is
            # collected seldom: what the body made too, most of which lives on as the
            # result. Left in the youngest, it would all be walked by the first
            # collection after (over a second for a million-event replay).
            gc.freeze()
            gc.unfreeze()
        # In a process that had frozen some of its own before (as a forking server does),
        # all that was frozen stays frozen.
        if enabled:
            gc.enable()
