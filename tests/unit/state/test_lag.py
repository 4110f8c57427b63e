"""Which partitions hold events not applied yet."""

from __future__ import annotations

from pantau.contract.topics import COMPLAINTS, PROGRAMS, Partition
from pantau.state.lag import Waiting, waiting

C0, C1 = Partition(COMPLAINTS.name, 0), Partition(COMPLAINTS.name, 1)
P2 = Partition(PROGRAMS.name, 2)


def test_waiting_counts_from_the_offset_after_the_stored_one_or_the_logs_start() -> None:
    ends = {C0: 110, C1: 50, P2: 7}
    stored: dict[Partition, int | None] = {C0: 99, C1: None, P2: 6}
    assert waiting(ends, stored, {C1: 40}) == {C0: Waiting(100, 10), C1: Waiting(40, 10)}
    # Redis ahead of the end read a moment before: nothing waits.
    assert waiting({C0: 100}, {C0: 120}, {}) == {}
