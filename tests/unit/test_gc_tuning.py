"""A long-running fold sets the collector's thresholds and freezes what start-up built;
in a process of its own, since the collector's state is the whole interpreter's."""

from __future__ import annotations

import json
import subprocess
import sys

from pantau.gcpause import WORKER_THRESHOLDS


def test_a_worker_s_collector_is_tuned_for_a_long_running_fold() -> None:
    probe = (
        "import gc, json\n"
        "from pantau.gcpause import tune_for_a_long_running_fold\n"
        "before = gc.get_freeze_count()\n"
        "tune_for_a_long_running_fold()\n"
        "print(json.dumps([gc.get_threshold(), before, gc.get_freeze_count()]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)  # fmt: skip
    thresholds, before, after = json.loads(done.stdout)
    assert tuple(thresholds) == WORKER_THRESHOLDS
    assert before == 0 and after > 0
