"""Tiles (C2SP tlog-tiles): the tree served as static files of 256 consecutive hashes.

A tile at level L holds hashes of subtrees of height 8L (level 0: leaf hashes); the N-th
tile of a level spans leaves [N * 256**(L+1), (N+1) * 256**(L+1)). The rightmost tile of
each level is partial (1 to 255 hashes) until it fills. Paths are `tile/<L>/<N>[.p/<W>]`,
N in zero-padded 3-digit elements, all but the last prefixed with x (1234067 is
x001/x234/067), so a file never has to be a folder too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 63
_PATH = re.compile(r"tile/(0|[1-9][0-9]?)/((?:x\d{3}/)*\d{3})(?:\.p/([1-9][0-9]{0,2}))?")


@dataclass(frozen=True, slots=True)
class Tile:
    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_LEVEL or self.index < 0:
            raise ValueError(f"no tile at level {self.level}, index {self.index}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise ValueError(f"a tile holds 1 to {TILE_WIDTH} hashes, not {self.width}")

    @property
    def full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def path(self) -> str:
        digits = f"{self.index:03d}"
        digits = "0" * (-len(digits) % 3) + digits
        groups = [digits[at : at + 3] for at in range(0, len(digits), 3)]
        number = "/".join([*(f"x{group}" for group in groups[:-1]), groups[-1]])
        partial = "" if self.full else f".p/{self.width}"
        return f"tile/{self.level}/{number}{partial}"

    @classmethod
    def parse(cls, path: str) -> Tile:
        found = _PATH.fullmatch(path)
        if found is None:
            raise ValueError(f"{path!r} is not a tile path (tile/<L>/<N>[.p/<W>])")
        level, number, width = found.groups()
        index = int(number.replace("x", "").replace("/", ""))
        tile = cls(int(level), index, int(width) if width else TILE_WIDTH)
        if tile.path != path:  # leading zero groups, a width of 256 written out
            raise ValueError(f"{path!r} is not how tile {tile.path} is written")
        return tile


def nodes_at(level: int, size: int) -> int:
    """How many complete subtrees of height 8 * level a tree of `size` leaves has."""
    return size >> (TILE_HEIGHT * level)


def tile_for(level: int, index: int, size: int) -> Tile:
    """The tile at (level, index) as a tree of `size` leaves has it: full or partial."""
    width = min(nodes_at(level, size) - index * TILE_WIDTH, TILE_WIDTH)
    if width <= 0:
        raise ValueError(f"a tree of {size} leaves has no tile {index} at level {level}")
    return Tile(level, index, width)


def tiles_of(size: int) -> list[Tile]:
    """Every tile a tree of `size` leaves is served as, level by level."""
    tiles = []
    level = 0
    while nodes_at(level, size):
        count = nodes_at(level, size)
        tiles += [tile_for(level, n, size) for n in range(-(-count // TILE_WIDTH))]
        level += 1
    return tiles


def tiles_of_right_edge(size: int) -> list[Tile]:
    """The rightmost tile of each level."""
    tiles = []
    level = 0
    while count := nodes_at(level, size):
        tiles.append(tile_for(level, (count - 1) // TILE_WIDTH, size))
        level += 1
    return tiles


def partial_tiles(size: int) -> list[Tile]:
    """The partial tiles of a tree of `size` leaves: the ones its checkpoint needs written."""
    return [t for t in tiles_of_right_edge(size) if not t.full]
