"""RFC 6962 §2.1 hashing: SHA-256 with one prefix byte, so a leaf can never pass for an
interior node (a second-preimage defence)."""

from __future__ import annotations

import hashlib

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
# The root of the tree with no leaves: the hash of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    return _sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(NODE_PREFIX + left + right).digest()


def perfect_root(hashes: list[bytes]) -> bytes:
    """The root of a perfect subtree from its bottom row (a power of two of hashes)."""
    row = hashes
    while len(row) > 1:
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    return row[0]


def split(hashes: bytes) -> list[bytes]:
    """A tile's (or a right edge's) bytes as its hashes."""
    if len(hashes) % HASH_SIZE:
        raise ValueError(f"{len(hashes)} bytes are not a whole number of hashes")
    return [hashes[at : at + HASH_SIZE] for at in range(0, len(hashes), HASH_SIZE)]
