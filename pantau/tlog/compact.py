"""The tree's right edge (a compact range from leaf 0): the roots of the perfect subtrees
that a tree of `size` leaves decomposes into, one per set bit of `size`, largest first.

Appending a leaf merges it with the subtrees it completes (once per trailing one bit of
the size, so one merge per leaf amortised); the root folds the edge right to left, at
most 64 hashes. The edge is all a writer must keep to continue the tree, so it is what
it persists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from pantau.tlog.hashing import EMPTY_ROOT, HASH_SIZE, NODE_PREFIX, node_hash, split

# (tile level, index at that level, hash): a subtree of height 8 * level just completed.
TileHashSink = Callable[[int, int, bytes], None]
_sha256 = hashlib.sha256


class CompactRange:
    __slots__ = ("_hashes", "_sink", "size")

    def __init__(
        self, size: int = 0, hashes: Iterable[bytes] = (), sink: TileHashSink | None = None
    ) -> None:
        self.size = size
        self._hashes = list(hashes)
        self._sink = sink
        if size < 0 or len(self._hashes) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} edge hashes")
        if any(len(h) != HASH_SIZE for h in self._hashes):
            raise ValueError(f"edge hashes are {HASH_SIZE} bytes")

    @property
    def hashes(self) -> list[bytes]:
        return list(self._hashes)

    def append(self, leaf: bytes) -> None:
        self.extend((leaf,))

    def extend(self, leaves: Iterable[bytes]) -> None:
        # The hot loop of the log: names bound locally, the node hash inlined.
        hashes, sink, sha256, prefix = self._hashes, self._sink, _sha256, NODE_PREFIX
        pop, push = hashes.pop, hashes.append
        size = self.size
        for leaf in leaves:
            value, rest, height = leaf, size, 0
            while rest & 1:
                value = sha256(prefix + pop() + value).digest()
                rest >>= 1
                height += 1
                if sink is not None and not height & 7:
                    sink(height >> 3, size >> height, value)
            push(value)
            size += 1
        self.size = size

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        value = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            value = node_hash(left, value)
        return value

    def to_bytes(self) -> bytes:
        """The persisted edge: the size (8 bytes, big-endian), then the hashes."""
        return self.size.to_bytes(8, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes, sink: TileHashSink | None = None) -> CompactRange:
        if len(data) < 8:
            raise ValueError("a persisted right edge starts with its 8-byte size")
        return cls(int.from_bytes(data[:8], "big"), split(data[8:]), sink)
