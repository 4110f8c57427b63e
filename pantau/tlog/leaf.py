"""What a leaf is: the RFC 6962 leaf hash of a record's entry, its canonical JSON with
each free-text field blinded. Every record of the event topics becomes one leaf, in log
order; a record that is not JSON is its own entry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pantau.tlog.blinding import SaltOf, blinder
from pantau.tlog.canonical import canonical, canonical_forms
from pantau.tlog.hashing import LEAF_PREFIX, leaf_hash


class Leaves:
    """Entries and leaf hashes of records, with the log's salts."""

    def __init__(self, salt_of: SaltOf) -> None:
        self._blind = blinder(salt_of)

    def entry(self, raw: bytes) -> bytes:
        return canonical(raw, self._blind)

    def hash(self, raw: bytes) -> bytes:
        return leaf_hash(canonical(raw, self._blind))

    def hashes(self, records: Iterable[bytes]) -> list[bytes]:
        """The leaf hash of each record, a batch at a time (the checkpointer's way)."""
        sha256, prefix = hashlib.sha256, LEAF_PREFIX
        return [sha256(prefix + form).digest() for form in canonical_forms(records, self._blind)]


def own_leaf(raw: bytes, salt: bytes) -> bytes:
    """A citizen's check: the leaf hash of their complaint's event (as they were given it,
    description in the clear) with the salt the log gave them."""
    return Leaves(lambda _complaint_id: salt).hash(raw)
