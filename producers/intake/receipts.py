"""Receipts for citizens: what intake keeps of each complaint event it published, and the
inclusion proofs of those events once the verifiable log's checkpoint covers them.

A complaint's receipt names the event that recorded it, the complaint's salt (so the
citizen can recompute their own leaf, text included) and the URL of its proofs. Intake
keeps, per event, its place in the log and its entry (text blinded, never in the clear);
the leaf index comes from the tree the checkpointer recorded in the audit topic, read
once the tree's head in Redis says the place is a leaf, and kept. Proofs are given
against the latest witnessed checkpoint when the profile asks for witnesses, else the
latest signed one, with the hashes from the log's tiles (PANTAU_STATE_DIR/tlog).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import redis
from pydantic import BaseModel

from pantau.contract.events import ComplaintEvent, ComplaintStatus, encode_event
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, Partition
from pantau.tlog.blinding import derived_salts
from pantau.tlog.order import Place
from pantau.tlog.proving import (
    ProveError,
    checkpoint_size,
    inclusion_of_entry,
    log_leaves,
    proof_checkpoint,
)
from pantau.tlog.receipt import receipt_file
from pantau.tlog.recorded import recorded_indexes
from pantau.tlog.records import TreeHead


class ReceiptLine(BaseModel):
    """One event of the complaint, as intake published it."""

    status: ComplaintStatus
    partition: int
    offset: int
    entry: str  # the leaf's entry: the event's canonical JSON, text blinded
    index: int | None = None  # its leaf, once the tree holds it

    @property
    def place(self) -> Place:
        return Partition(COMPLAINTS.name, self.partition).label, self.offset


@dataclass(frozen=True)
class Pending:
    """Recorded, not yet provable: `reason` says what is awaited."""

    event_id: str
    reason: str


@dataclass(frozen=True)
class Proven:
    receipt: dict[str, Any]  # a receipt file (pantau/tlog/receipt.py)


class Receipts:
    def __init__(self, settings: Settings, client: redis.Redis, witnessed: bool) -> None:
        self.settings = settings
        self.redis = client
        self.keys = KeySpace(settings.redis_prefix)
        self.witnessed = witnessed
        self.leaves = log_leaves(settings)  # ProveError without the log's secret
        assert settings.tlog_secret is not None
        self.salt_of = derived_salts(settings.tlog_secret.get_secret_value().encode())

    def salt(self, complaint_id: str) -> bytes:
        return self.salt_of(complaint_id)

    def record(self, event: ComplaintEvent, partition: int, offset: int) -> None:
        """Keep the published event's place and entry (blocking: call it off the loop)."""
        entry = self.leaves.entry(encode_event(event)).decode()
        line = ReceiptLine(status=event.status, partition=partition, offset=offset, entry=entry)
        self.redis.hset(
            self.keys.intake_receipt(event.complaint_id), event.event_id, line.model_dump_json()
        )

    async def answer(self, complaint_id: str) -> Proven | Pending | None:
        """None: intake published no event of this complaint."""
        lines = await asyncio.to_thread(self._lines, complaint_id)
        if not lines:
            return None
        first_id = _first(lines)
        try:
            note = await asyncio.to_thread(
                proof_checkpoint, self.settings, self.redis, self.witnessed
            )
        except ProveError as error:
            return Pending(first_id, str(error))
        await self._find_leaves(complaint_id, lines)
        first, size = lines[first_id], checkpoint_size(note)
        if first.index is None or first.index >= size:
            where = "the log's tree" if first.index is None else "a checkpoint"
            kind = "witnessed checkpoint" if self.witnessed else "signed checkpoint"
            return Pending(
                first_id, f"event {first_id} is not yet in {where}: wait for the next {kind}"
            )
        covered = sorted(
            (line for line in lines.values() if line.index is not None and line.index < size),
            key=lambda line: line.index or 0,
        )
        proofs = await asyncio.to_thread(
            lambda: [
                inclusion_of_entry(self.settings, note, line.index or 0, line.entry)
                for line in covered
            ]
        )
        return Proven(receipt_file(complaint_id, proofs))

    def _lines(self, complaint_id: str) -> dict[str, ReceiptLine]:
        kept = self.redis.hgetall(self.keys.intake_receipt(complaint_id))
        return {_text(k): ReceiptLine.model_validate_json(v) for k, v in kept.items()}

    async def _find_leaves(self, complaint_id: str, lines: dict[str, ReceiptLine]) -> None:
        """Give each line the tree has taken its leaf index, reading the audit topic only
        when the tree's head says there is one to find (a citizen polling costs a Redis
        read until then)."""
        raw = await asyncio.to_thread(self.redis.get, self.keys.audit_tree)
        if raw is None:
            return
        head = TreeHead.model_validate_json(raw)
        wanted = {
            event_id: line
            for event_id, line in lines.items()
            if line.index is None and head.next_offsets.get(line.place[0], 0) > line.offset
        }
        if not wanted:
            return
        found = await recorded_indexes(self.settings, [line.place for line in wanted.values()])
        updates: dict[str, str] = {}
        for event_id, line in wanted.items():
            if line.place in found:
                lines[event_id] = line.model_copy(update={"index": found[line.place]})
                updates[event_id] = lines[event_id].model_dump_json()
        if updates:
            await asyncio.to_thread(self._keep, complaint_id, updates)

    def _keep(self, complaint_id: str, updates: dict[str, str]) -> None:
        pipeline = self.redis.pipeline(transaction=False)
        for event_id, line in updates.items():
            pipeline.hset(self.keys.intake_receipt(complaint_id), event_id, line)
        pipeline.execute()


def _first(lines: dict[str, ReceiptLine]) -> str:
    """The event that recorded the complaint: its `received` step (or, for a complaint
    another system received, the earliest step intake published)."""
    return min(
        lines, key=lambda i: (lines[i].status is not ComplaintStatus.RECEIVED, lines[i].offset)
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
