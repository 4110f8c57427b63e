"""Free text never enters a leaf in the clear: a complaint's description is replaced by a
salted hash, SHA-256 of a salt of that complaint's own (32 bytes) and the text's UTF-8.

Without the salt no one can test a guess of the text against a leaf; a citizen given
their complaint's salt recomputes the blinded value, and so their own leaf, with any
SHA-256 tool. Salts are derived from one secret of the log's (HMAC-SHA256 of the
complaint id), so the tree stays a pure function of the event log and that secret: a
rebuild needs no store of salts, and handing out one complaint's salt reveals nothing of
another's or of the secret.

The contract's only free-text field is the complaint's `description` (the intake drops
the reporter's name, e-mail and phone before an event exists); program and indicator
names are the city's public labels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from pantau.tlog.canonical import Document, Edit

BLINDED_FIELDS = ("description",)
BLINDED_PREFIX = "salted-sha256:"
SALT_SIZE = 32
SaltOf = Callable[[str], bytes]  # complaint id -> that complaint's salt
# Domain separation: the secret may have other uses one day.
_SALT_LABEL = b"pantau tlog complaint salt\n"
_BLOCK = 64  # SHA-256's block size


def derived_salts(secret: bytes) -> SaltOf:
    """Each complaint's salt from the log's secret (at least 32 random bytes)."""
    if len(secret) < SALT_SIZE:
        raise ValueError(f"the log's secret must have at least {SALT_SIZE} bytes")
    # HMAC (RFC 2104) with its two keyed states computed once: hmac.digest would set
    # them up again for every record, several times the cost of the hashing itself.
    block = hashlib.sha256(secret).digest() if len(secret) > _BLOCK else secret
    block = block.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def salt_of(complaint_id: str) -> bytes:
        keyed = inner.copy()
        keyed.update(_SALT_LABEL + complaint_id.encode())
        result = outer.copy()
        result.update(keyed.digest())
        return result.digest()

    return salt_of


def blinded(salt: bytes, text: str) -> str:
    """The value that takes the text's place."""
    return BLINDED_PREFIX + hashlib.sha256(salt + text.encode()).hexdigest()


def blinder(salt_of: SaltOf) -> Edit:
    """The edit that blinds a record's free-text fields (strings only: anything else in
    such a field breaks the contract and is kept as a dead letter's evidence). A record
    without a complaint id takes the salt of the empty id."""

    def blind(document: Document) -> None:
        for field in BLINDED_FIELDS:
            text = document.get(field)
            if type(text) is str:
                owner = document.get("complaint_id")
                document[field] = blinded(salt_of(owner if type(owner) is str else ""), text)

    return blind
