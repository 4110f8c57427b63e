"""The wall heap check's verdict and report; the run itself needs a stack and half an hour
(`pantau dev wall-heap`), so it is no part of the tests."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bench.heap import HeapPlan, HeapReading, conclusion, describe, growth, within
from pantau.cli import app


def _reading(minute: float, used: int) -> HeapReading:
    return HeapReading(minute, used, 2 * used, used + 1000, dom_nodes=900, listeners=14,
                       snapshots=60 * int(minute))  # fmt: skip


def test_growth_up_to_the_limit_passes_and_beyond_it_fails() -> None:
    plan = HeapPlan(5, 30)
    first = _reading(5, 4_000_000)
    assert growth(first, _reading(30, 4_400_000)) == pytest.approx(0.10)
    assert within(plan, first, _reading(30, 4_400_000))
    assert not within(plan, first, _reading(30, 4_400_001))
    assert within(plan, first, _reading(30, 3_000_000))  # shrinking is fine
    assert not within(HeapPlan(5, 30, max_growth=0.02), first, _reading(30, 4_100_000))


def test_the_report_gives_both_readings_and_the_ratio() -> None:
    plan = HeapPlan(5, 30)
    first, last = _reading(5, 4_000_000), _reading(30, 4_600_000)
    assert describe(first) == (
        "minute 5: used heap 4.00 MB (of 8.00 MB; performance.memory 4.00 MB), 900 DOM "
        "nodes, 14 listeners, 300 snapshots sent since the page opened"
    )
    assert conclusion(plan, first, last) == "ratio 1.150 (+15.0%): over the 10% allowed"


@pytest.mark.parametrize(("first", "last"), [(0, 30), (30, 30), (31, 30), (-1, 2)])
def test_the_first_reading_must_come_between_the_start_and_the_last(
    first: float, last: float
) -> None:
    with pytest.raises(ValueError, match="must come after the start and before the last"):
        HeapPlan(first, last)


def test_the_command_refuses_a_first_reading_after_the_last_before_opening_anything() -> None:
    result = CliRunner().invoke(app, ["dev", "wall-heap", "--minutes", "2", "--first", "3"])
    assert result.exit_code == 2
    assert "--first" in result.output
