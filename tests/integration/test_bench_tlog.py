"""The benchmark's verifiable log from the real broker: every event in the topics, read
the audit's way, becomes a leaf of the signed tree it times."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.tlog import ORIGIN, log_from_kafka
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS
from pantau.logreader import LogReader, partitions_of
from pantau.publisher import EventPublisher
from pantau.tlog.blinding import derived_salts
from pantau.tlog.checkpoint import Checkpoint
from pantau.tlog.leaf import Leaves
from pantau.tlog.note import parse_note
from producers.simulator.feed import SimulationConfig, city_feed
from tests.integration.worker_helpers import PROFILE
from tests.unit.tlog.reference import mth


async def _every_value(settings: Settings) -> list[bytes]:
    values: list[bytes] = []
    async with LogReader(settings) as reader:
        async for batch in reader.whole(partitions_of(*EVENT_TOPICS.values())):
            values += [message.value or b"" for message in batch]
    return values


async def test_the_log_is_built_over_every_event_in_the_topics(
    live_stack: Settings, tmp_path: Path
) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    events = itertools.islice(city_feed(PROFILE, SimulationConfig(start, seed=811)), 300)
    with EventPublisher(live_stack, PROFILE, client_id="test-bench-tlog") as publisher:
        for event in events:
            publisher.publish(event)

    result = await log_from_kafka(live_stack, tmp_path / "tiles")

    values = await _every_value(live_stack)
    assert result.events == len(values) >= 300
    leaves = Leaves(derived_salts(bytes(32)))
    assert result.root == mth([leaves.entry(value) for value in values])
    note = parse_note((tmp_path / "tiles" / "checkpoint").read_bytes())
    assert Checkpoint.parse(note.text) == Checkpoint(ORIGIN, len(values), result.root)
