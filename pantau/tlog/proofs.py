"""Inclusion and consistency proofs (RFC 9162 §2.1.3 and §2.1.4) from any source of
subtree hashes: tiles for the log and its readers, memory for tests.

Both proofs walk the RFC's recursive split (at the largest power of two below the
range's size) from the root down and list the hashes they pass, deepest first.
"""

from __future__ import annotations

from typing import Protocol

from pantau.tlog.hashing import EMPTY_ROOT, node_hash


class HashSource(Protocol):
    def hash_at(self, height: int, index: int) -> bytes:
        """The root of the complete perfect subtree of `height` at `index`."""
        ...


def largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(source: HashSource, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range the RFC's split produces (start aligned to the
    largest power of two in end - start): the perfect subtrees of end - start, largest
    first, folded right to left."""
    if start == end:
        return EMPTY_ROOT
    parts = []
    at = start
    while at < end:
        height = (end - at).bit_length() - 1
        parts.append(source.hash_at(height, at >> height))
        at += 1 << height
    value = parts[-1]
    for left in reversed(parts[:-1]):
        value = node_hash(left, value)
    return value


def root_hash(source: HashSource, size: int) -> bytes:
    return range_hash(source, 0, size)


def inclusion_proof(source: HashSource, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size])."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    siblings = []
    start, end = 0, size
    while end - start > 1:
        middle = start + largest_power_of_two_below(end - start)
        if index < middle:
            siblings.append(range_hash(source, middle, end))
            end = middle
        else:
            siblings.append(range_hash(source, start, middle))
            start = middle
    return siblings[::-1]


def consistency_proof(source: HashSource, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]); empty from the empty tree and to the same size."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} leaves to {new_size}")
    if old_size in (0, new_size):
        return []
    hashes = []
    start, end = 0, new_size
    whole = True  # the old tree is still the range's own left part: its root is known
    while old_size != end:
        middle = start + largest_power_of_two_below(end - start)
        if old_size <= middle:
            hashes.append(range_hash(source, middle, end))
            end = middle
        else:
            hashes.append(range_hash(source, start, middle))
            start = middle
            whole = False
    if not whole:
        hashes.append(range_hash(source, start, end))
    return hashes[::-1]
