"""Any subtree hash of a tree of known size, read from its tiles: the source that proofs
are computed from, by the log itself or by anyone holding a copy of the tiles."""

from __future__ import annotations

from pantau.tlog.hashing import HASH_SIZE, perfect_root
from pantau.tlog.store import MissingTileError, TileStore
from pantau.tlog.tiles import TILE_HEIGHT, TILE_WIDTH, Tile, tile_for


class TileReader:
    def __init__(self, store: TileStore, size: int) -> None:
        self.store = store
        self.size = size
        self._tiles: dict[tuple[int, int], bytes] = {}

    def hash_at(self, height: int, index: int) -> bytes:
        """The root of the perfect subtree of `height` at `index` (its leaves are
        [index * 2**height, (index + 1) * 2**height)), which must be complete."""
        level, within = divmod(height, TILE_HEIGHT)
        first = index << within  # at the tile level's height
        number, offset = divmod(first, TILE_WIDTH)
        tile = self._tile(level, number)
        count = 1 << within
        if (offset + count) * HASH_SIZE > len(tile):
            raise ValueError(f"the subtree ({height}, {index}) is not complete at {self.size}")
        row = [tile[(offset + i) * HASH_SIZE : (offset + i + 1) * HASH_SIZE] for i in range(count)]
        return perfect_root(row)

    def _tile(self, level: int, number: int) -> bytes:
        key = (level, number)
        if key not in self._tiles:
            tile = tile_for(level, number, self.size)
            try:
                data = self.store.read(tile.path)
            except MissingTileError:
                if tile.full:
                    raise
                # The full tile replaces a partial one once it fills; its start is the same.
                data = self.store.read(Tile(level, number).path)[: tile.width * HASH_SIZE]
            if len(data) != tile.width * HASH_SIZE:
                raise ValueError(f"{tile.path} has {len(data)} bytes, not {tile.width} hashes")
            self._tiles[key] = data
        return self._tiles[key]
