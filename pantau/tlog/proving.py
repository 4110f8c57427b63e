"""An inclusion proof file of one leaf, as the log gives it: against its latest
checkpoint, or the latest witnessed one when the city's profile asks for witnesses,
with the leaf's hashes from the tiles and its entry (the record, text blinded). Shared
by `pantau audit prove` and the intake's receipts; `pantau audit check-proof` checks
either offline with the log's public key alone."""

from __future__ import annotations

from typing import Any

import redis

from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.tlog.blinding import derived_salts
from pantau.tlog.checkpoint import Checkpoint
from pantau.tlog.leaf import Leaves
from pantau.tlog.note import parse_note
from pantau.tlog.prooffile import inclusion_file
from pantau.tlog.proofs import inclusion_proof
from pantau.tlog.reader import TileReader
from pantau.tlog.store import CHECKPOINT_FILE, directory_store, tiles_folder


class ProveError(LookupError):
    """What was asked for is not (yet) in the log's tree; the message says why."""


class NotYetCoveredError(ProveError):
    """The leaf is in the tree, but not yet in the checkpoint proofs are given against."""


def proof_checkpoint(settings: Settings, client: redis.Redis, witnessed: bool) -> str:
    """The signed note proofs are given against."""
    keys = KeySpace(settings.redis_prefix)
    if witnessed:
        note = client.get(keys.audit_witnessed)
        if note is None:
            raise ProveError("no checkpoint has been co-signed by the profile's quorum yet")
        return note.decode() if isinstance(note, bytes) else note
    try:
        return (tiles_folder(settings.state_dir) / CHECKPOINT_FILE).read_text()
    except FileNotFoundError:
        raise ProveError(
            "the log has signed no checkpoint yet (is the checkpointer running?)"
        ) from None


def checkpoint_size(note: str) -> int:
    return Checkpoint.parse(parse_note(note).text).size


def log_leaves(settings: Settings) -> Leaves:
    """Entries and leaf hashes with the log's salts."""
    if settings.tlog_secret is None:
        raise ProveError("PANTAU_TLOG_SECRET is unset: the leaf's entry cannot be made")
    return Leaves(derived_salts(settings.tlog_secret.get_secret_value().encode()))


def inclusion(settings: Settings, note: str, index: int, raw: bytes | None) -> dict[str, Any]:
    """The proof file of leaf `index` (whose record is `raw`) against `note`."""
    entry = log_leaves(settings).entry(raw or b"").decode(errors="replace")
    return inclusion_of_entry(settings, note, index, entry)


def inclusion_of_entry(settings: Settings, note: str, index: int, entry: str) -> dict[str, Any]:
    """The proof file of leaf `index`, whose entry (`Leaves.entry`) the caller kept."""
    size = checkpoint_size(note)
    if index >= size:
        raise NotYetCoveredError(
            f"leaf {index} is not yet in the checkpoint of {size} leaves: "
            "try again after the next one"
        )
    hashes = inclusion_proof(TileReader(directory_store(settings.state_dir), size), index, size)
    return inclusion_file(note, index, hashes, entry=entry)
