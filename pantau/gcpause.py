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


# A worker allocates a few tracked objects per event (records, the service levels'
# clocks, batch totals), most short-lived: at CPython's 700 allocations per young
# collection it spent a third of its fold time in the collector (measured with the
# service levels' fold, python's cProfile and process time). Every 20,000 is far fewer
# walks; reference counting still frees the short-lived at once.
WORKER_THRESHOLDS = (20_000, 20, 20)


def tune_for_a_long_running_fold() -> None:
    """For a process that folds events until stopped: what start-up built (modules, the
    app) is set aside from collections for good, and young collections come seldom."""
    gc.freeze()
    gc.set_threshold(*WORKER_THRESHOLDS)
