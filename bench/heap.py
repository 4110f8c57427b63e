"""What `pantau dev wall-heap` concludes from its readings of the wall page's memory: two
readings after forced garbage collection, one once the page has warmed up and one at the
end, and whether the used heap grew past the limit between them."""

from __future__ import annotations

from dataclasses import dataclass

# Growth allowed between the two readings: a page that only redraws the same structure
# settles, and what is left after a full collection is noise of a few percent.
MAX_GROWTH = 0.10


@dataclass(frozen=True)
class HeapPlan:
    first_minute: float  # the page has warmed up: fonts, caches, the first redraws
    last_minute: float
    max_growth: float = MAX_GROWTH

    def __post_init__(self) -> None:
        if not 0 < self.first_minute < self.last_minute:
            raise ValueError(
                f"the first reading (minute {self.first_minute:g}) must come after the start "
                f"and before the last (minute {self.last_minute:g})"
            )


@dataclass(frozen=True)
class HeapReading:
    minute: float
    used_bytes: int  # the page's JavaScript heap after collection (Runtime.getHeapUsage)
    total_bytes: int
    performance_used_bytes: int  # performance.memory.usedJSHeapSize, for comparison
    dom_nodes: int
    listeners: int
    snapshots: int  # snapshots the wall had sent since the page opened (its /health version)


def growth(first: HeapReading, last: HeapReading) -> float:
    """The used heap's growth from the first reading to the last (0.05 is 5 %)."""
    return last.used_bytes / first.used_bytes - 1


def within(plan: HeapPlan, first: HeapReading, last: HeapReading) -> bool:
    # Compared in bytes, so that exactly the limit passes (a ratio's rounding could fail it).
    return last.used_bytes <= first.used_bytes * (1 + plan.max_growth)


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.2f} MB"


def describe(reading: HeapReading) -> str:
    return (
        f"minute {reading.minute:g}: used heap {_mb(reading.used_bytes)} "
        f"(of {_mb(reading.total_bytes)}; performance.memory "
        f"{_mb(reading.performance_used_bytes)}), {reading.dom_nodes} DOM nodes, "
        f"{reading.listeners} listeners, {reading.snapshots} snapshots sent since the page opened"
    )


def conclusion(plan: HeapPlan, first: HeapReading, last: HeapReading) -> str:
    ratio = last.used_bytes / first.used_bytes
    verdict = "within" if within(plan, first, last) else "over"
    return (
        f"ratio {ratio:.3f} ({growth(first, last):+.1%}): {verdict} the "
        f"{plan.max_growth:.0%} allowed"
    )
