"""The wall's tile map of the city, as the page draws it: each kelurahan's square where the
city profile puts it, and where each kecamatan's name goes. Places and names only; what
a tile shows is in the figures (CityFigures.areas)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from pantau.contract.city import CityProfile, Kelurahan

Side = Literal["above", "below", "over"]


class MapTile(BaseModel):
    key: str
    name: str
    kecamatan: str
    row: int
    col: int


class KecamatanLabel(BaseModel):
    """A kecamatan's name beside its tiles: above the first run of its top row's tiles
    that has nothing above it, else below such a run of its bottom row, else (a kecamatan
    surrounded by others, which leaves no free side) over its first tile, edged so it
    reads on the tile. `span` tiles wide at most."""

    key: str
    name: str
    row: int
    col: int
    span: int
    side: Side


class CityMap(BaseModel):
    rows: int
    cols: int
    tiles: list[MapTile]
    kecamatan: list[KecamatanLabel]


def city_map(profile: CityProfile) -> CityMap:
    tiles = [
        MapTile(key=kel.key, name=kel.name, kecamatan=kec.key, row=kel.tile.row, col=kel.tile.col)
        for kec in profile.kecamatan
        for kel in kec.kelurahan
    ]
    taken = {(tile.row, tile.col) for tile in tiles}
    return CityMap(
        rows=max((t.row for t in tiles), default=-1) + 1,
        cols=max((t.col for t in tiles), default=-1) + 1,
        tiles=tiles,
        kecamatan=[
            _label(kec.key, kec.name, kec.kelurahan, taken)
            for kec in profile.kecamatan
            if kec.kelurahan
        ],
    )


def _label(
    key: str, name: str, kelurahan: list[Kelurahan], taken: set[tuple[int, int]]
) -> KecamatanLabel:
    cells = sorted((kel.tile.row, kel.tile.col) for kel in kelurahan)
    top, bottom = cells[0][0], cells[-1][0]
    # (the row to name it by, on which side, the row whose cells must be free there)
    tries: tuple[tuple[int, Side, int], ...] = (
        (top, "above", top - 1),
        (bottom, "below", bottom + 1),
    )
    for row, side, beside in tries:
        free = [col for r, col in cells if r == row and (beside, col) not in taken]
        if free:
            span = 1
            while free[0] + span in free:
                span += 1
            return KecamatanLabel(key=key, name=name, row=row, col=free[0], span=span, side=side)
    row, col = cells[0]
    return KecamatanLabel(key=key, name=name, row=row, col=col, span=1, side="over")
