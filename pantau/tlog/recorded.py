"""The tree as the checkpointer recorded it in the audit topic: its leaf batches (where
each leaf came from) and the checkpoints it signed. The one part of the log's core that
reads Kafka; the audit, `pantau audit prove` and the intake's receipts read it here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pantau.contract.settings import Settings
from pantau.contract.topics import AUDIT
from pantau.logreader import LogReader, partitions_of
from pantau.tlog.order import Place, leaf_indexes
from pantau.tlog.records import CHECKPOINT_KEY, LEAVES_KEY, LeafBatch


@dataclass(frozen=True)
class RecordedTree:
    batches: list[LeafBatch]
    notes: list[bytes]  # the signed checkpoints, oldest first


async def recorded_tree(settings: Settings) -> RecordedTree:
    batches: list[LeafBatch] = []
    notes: list[bytes] = []
    async with LogReader(settings) as reader:
        async for records in reader.whole(partitions_of(AUDIT)):
            for record in records:
                if record.key == LEAVES_KEY:
                    batches.append(LeafBatch.model_validate_json(record.value))
                elif record.key == CHECKPOINT_KEY:
                    notes.append(record.value)
    return RecordedTree(batches, notes)


async def recorded_indexes(settings: Settings, places: Iterable[Place]) -> dict[Place, int]:
    """The leaf index of each of `places` the recorded tree holds so far."""
    return leaf_indexes((await recorded_tree(settings)).batches, places)
