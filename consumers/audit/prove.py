"""Proof files for `pantau audit prove` and `pantau audit consistency`: the leaf's place
from the audit topic's batches, its hashes from the tiles, the checkpoint from the log
(the latest witnessed one when the profile asks for witnesses). Each file is checked
offline by `pantau audit check-proof` with the log's public key alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from consumers.audit.tree_run import event_records, log_verifier
from pantau.contract.settings import Settings
from pantau.tlog.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from pantau.tlog.note import NoteError, parse_note
from pantau.tlog.order import Place, leaf_order
from pantau.tlog.prooffile import consistency_file
from pantau.tlog.proofs import consistency_proof
from pantau.tlog.proving import ProveError
from pantau.tlog.proving import inclusion as inclusion_of
from pantau.tlog.reader import TileReader
from pantau.tlog.recorded import recorded_tree
from pantau.tlog.store import directory_store


@dataclass(frozen=True)
class Located:
    index: int
    place: Place
    raw: bytes | None


async def locate(
    settings: Settings, event_id: str | None = None, place: Place | None = None
) -> list[Located]:
    """Every leaf of the event (an event id may be a leaf more than once: a producer's
    retry), or the leaf of one record."""
    order = leaf_order((await recorded_tree(settings)).batches)
    records = await event_records(settings)
    found = []
    for index, at in enumerate(order):
        raw = records.get(at)
        if at == place or (event_id is not None and _event_id(raw) == event_id):
            found.append(Located(index, at, raw))
    return found


def inclusion(settings: Settings, note: str, located: Located) -> dict[str, Any]:
    return inclusion_of(settings, note, located.index, located.raw)


def consistency(settings: Settings, old_note: str, note: str) -> dict[str, Any]:
    old = Checkpoint.parse(parse_note(old_note).text)
    new = Checkpoint.parse(parse_note(note).text)
    if old.size > new.size:
        raise ProveError(f"the old checkpoint ({old.size}) is larger than the new ({new.size})")
    reader = TileReader(directory_store(settings.state_dir), new.size)
    return consistency_file(old_note, note, consistency_proof(reader, old.size, new.size))


async def signed_note_of_size(settings: Settings, size: int | None) -> str:
    """The checkpoint of `size` from the audit topic that the log's key signed (None: the
    latest); anything else in the topic is passed over."""
    verifiers = [log_verifier(settings)]
    for raw in reversed((await recorded_tree(settings)).notes):
        try:
            checkpoint, _ = open_checkpoint(raw, verifiers)
        except (NoteError, CheckpointError):
            continue
        if size is None or checkpoint.size == size:
            return raw.decode()
    raise ProveError(f"the log signed no checkpoint of size {size}")


def _event_id(raw: bytes | None) -> str | None:
    try:
        value = orjson.loads(raw or b"")
    except orjson.JSONDecodeError:
        return None
    found = value.get("event_id") if type(value) is dict else None
    return found if type(found) is str else None
