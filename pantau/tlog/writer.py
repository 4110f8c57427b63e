"""The log's tree as it grows: leaf hashes in, full tiles out as they fill, the partial
tiles and the root when a checkpoint is due.

What it holds in memory is the right edge and, per level, the hashes of the tile still
filling (at most 255 each): a few kilobytes whatever the tree's size. It resumes from the
partial tiles written at its last checkpoint, which hold exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable

from pantau.tlog.compact import CompactRange
from pantau.tlog.hashing import perfect_root, split
from pantau.tlog.store import TileStore
from pantau.tlog.tiles import TILE_HEIGHT, TILE_WIDTH, Tile, nodes_at, partial_tiles


class TreeWriter:
    def __init__(self, store: TileStore) -> None:
        self.store = store
        # rows[L]: the hashes of level L's filling tile, left to right.
        self._rows: list[list[bytes]] = [[]]
        self._edge = CompactRange(sink=self._completed)

    @property
    def size(self) -> int:
        return self._edge.size

    def root(self) -> bytes:
        return self._edge.root()

    def edge(self) -> CompactRange:
        """A copy of the right edge (without the tile sink): what a writer persists."""
        return CompactRange(self.size, self._edge.hashes)

    def append(self, leaf_hash: bytes) -> None:
        self.extend((leaf_hash,))

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        # Level 0 is fed in runs up to the next tile boundary, so the edge sees whole runs.
        pending = list(leaf_hashes)
        at = 0
        while at < len(pending):
            row = self._rows[0]
            run = pending[at : at + TILE_WIDTH - len(row)]
            row += run
            self._edge.extend(run)
            at += len(run)
            if len(row) == TILE_WIDTH:
                self._write_full(0, (self.size - 1) >> TILE_HEIGHT)

    def _completed(self, level: int, index: int, value: bytes) -> None:
        if level == len(self._rows):
            self._rows.append([])
        row = self._rows[level]
        row.append(value)
        if len(row) == TILE_WIDTH:
            self._write_full(level, index >> TILE_HEIGHT)

    def _write_full(self, level: int, index: int) -> None:
        self.store.write(Tile(level, index).path, b"".join(self._rows[level]))
        self._rows[level] = []

    def write_partials(self) -> list[Tile]:
        """Write the partial tiles of the current size, before its checkpoint is signed
        (a checkpoint's readers fetch them)."""
        tiles = partial_tiles(self.size)
        for tile in tiles:
            self.store.write(tile.path, b"".join(self._rows[tile.level]))
        return tiles

    @classmethod
    def resume(cls, store: TileStore, size: int) -> TreeWriter:
        """The tree as it stood at `size`, from that size's partial tiles (MissingTileError if
        they were never written)."""
        writer = cls(store)
        rows: list[list[bytes]] = []
        level = 0
        while nodes_at(level, size):
            width = nodes_at(level, size) % TILE_WIDTH
            index = nodes_at(level, size) // TILE_WIDTH
            rows.append(split(store.read(Tile(level, index, width).path)) if width else [])
            level += 1
        writer._rows = rows or [[]]
        writer._edge = CompactRange(size, _edge_of(rows), sink=writer._completed)
        return writer


def _edge_of(rows: list[list[bytes]]) -> list[bytes]:
    """The right edge from the filling tiles: each set bit r of a row's width is a perfect
    subtree of 2**r of its hashes, higher levels and bits first."""
    edge = []
    for row in reversed(rows):
        start = 0
        for bit in reversed(range(TILE_HEIGHT)):
            if len(row) >> bit & 1:
                edge.append(perfect_root(row[start : start + (1 << bit)]))
                start += 1 << bit
    return edge
