"""Faust's Monitor without its per-event bookkeeping.

The default Monitor records every message and stream event (timestamps, deques, per
topic counters) for statistics Pantau does not read: it exports its own metrics per
batch. At tens of thousands of events a second that bookkeeping is a large share of the
worker's time, so the per-event hooks do nothing here; the rest (end offsets, commits,
rebalances) stays as Faust expects.
"""

from __future__ import annotations

from typing import Any

from faust.sensors import Monitor


class BatchMonitor(Monitor):
    def on_message_in(self, *_: Any) -> None:
        pass

    def on_stream_event_in(self, *_: Any) -> None:
        return None

    def on_stream_event_out(self, *_: Any, **__: Any) -> None:
        pass

    def on_message_out(self, *_: Any) -> None:
        pass
