"""The latency run's worst stretch: where one stall hides in a run's overall p99."""

from __future__ import annotations

import math

from bench.measures import percentile, worst_window


def test_the_worst_ten_seconds_show_a_stall_the_whole_run_hides() -> None:
    # 300 s at 100 waits a second, 20 ms each, but 1.5 s for the 2 s after 150 s.
    waits = [(n / 100, 1.5 if 150 <= n / 100 < 152 else 0.020) for n in range(30_000)]
    assert percentile([w for _, w in waits], 0.99) == 0.020
    assert worst_window(waits, 10.0, 0.99) == 1.5
    assert worst_window(waits, 10.0, 0.75) == 0.020  # most of that window was calm
    calm = [(sent, w) for sent, w in waits if w < 1]
    assert worst_window(calm, 10.0, 0.99) == 0.020


def test_no_waits_give_no_figure() -> None:
    assert math.isnan(worst_window([], 10.0, 0.99))
