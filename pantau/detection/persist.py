"""A spike tracker's state as JSON, so a detector restarts where it stopped.

The shape: `active` and `calm_since` map fingerprints to minutes, `cusum` maps
fingerprints to [statistic, first minute of the run]; groups at zero are left out.
State saved before the CUSUM existed has no `cusum`: every run then starts at zero,
which is where a calm group stands anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pantau.detection.cusum import CusumRun
from pantau.detection.spike import SpikeTracker


def tracker_state(tracker: SpikeTracker) -> dict[str, Any]:
    return {
        "active": dict(tracker.active),
        "calm_since": dict(tracker.calm_since),
        "cusum": {key: run.to_json() for key, run in tracker.cusum.items()},
    }


def restore_tracker(tracker: SpikeTracker, saved: Mapping[str, Any]) -> None:
    tracker.active = {key: int(minute) for key, minute in saved["active"].items()}
    tracker.calm_since = {key: int(minute) for key, minute in saved["calm_since"].items()}
    runs = saved.get("cusum", {})
    tracker.cusum = {key: CusumRun.from_json(run) for key, run in runs.items()}
