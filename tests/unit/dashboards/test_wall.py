"""The wall's pieces that need nothing running: the newest-complaints list, the map's
layout and the page's assets. The page itself is tested in Chromium against the real
services."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from aiokafka import ConsumerRecord

from dashboards.wall.newest import NewestComplaints
from dashboards.wall.tilemap import city_map
from pantau.contract.city import Kecamatan, Kelurahan, Tile, load_city_profile
from pantau.contract.events import ComplaintEvent
from tests.factories import NOW, complaint_document

PROFILE = load_city_profile("mojokerto")
STATIC = Path(__file__).parents[3] / "dashboards" / "wall" / "static"


def _message(value: bytes, timestamp: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("pantau.complaints", 0, timestamp, timestamp, 0, b"k", value, None,
                          0, len(value), [])  # fmt: skip


def test_the_list_keeps_the_newest_and_never_the_complainants_words() -> None:
    newest = NewestComplaints(PROFILE, keep=3)
    for n in range(5):
        document = complaint_document(
            complaint_id=f"MJK-{n}", event_id=f"e-{n}", description="Pak Budi, 0812 3456",
            occurred_at=(NOW + timedelta(minutes=n)).isoformat(),
        )  # fmt: skip
        assert newest.take(_message(json.dumps(document).encode(), 1000 + n))
    lines = newest.lines()
    assert [line.complaint_id for line in lines] == ["MJK-4", "MJK-3", "MJK-2"]
    shown = " ".join(line.model_dump_json() for line in lines)
    assert "Budi" not in shown and "0812" not in shown
    event = ComplaintEvent.model_validate(complaint_document())
    assert lines[0].kelurahan == PROFILE.kelurahan_names[event.kelurahan]
    assert lines[0].agency == PROFILE.agency_names[event.agency]


def test_messages_that_are_not_valid_complaints_are_left_to_the_worker() -> None:
    newest = NewestComplaints(PROFILE)
    assert not newest.take(_message(b"{not json", 1))
    assert not newest.take(_message(json.dumps(complaint_document(status="lost")).encode(), 2))
    assert newest.lines() == []


def test_the_page_loads_nothing_from_the_internet() -> None:
    for asset in STATIC.iterdir():
        text = asset.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), asset.name
        assert "url(http" not in text and "@import" not in text, asset.name
    page = (STATIC / "index.html").read_text()
    for script in ("map.js", "trend.js", "wall.js"):
        assert f'<script src="/static/{script}">' in page


def test_the_map_puts_each_kelurahan_where_the_profile_does_and_names_each_kecamatan() -> None:
    layout = city_map(PROFILE)
    assert (layout.rows, layout.cols, len(layout.tiles)) == (3, 6, 18)
    where = {tile.key: (tile.row, tile.col, tile.kecamatan) for tile in layout.tiles}
    assert where["surodinawan"] == (0, 0, "prajurit-kulon")
    assert where["wates"] == (2, 5, "magersari")
    names = {
        label.key: (label.side, label.row, label.col, label.span) for label in layout.kecamatan
    }
    # Prajurit Kulon and Magersari are named above their top rows; Kranggan's top row is
    # under Prajurit Kulon, so its name goes below its bottom row.
    assert names == {
        "prajurit-kulon": ("above", 0, 0, 4),
        "magersari": ("above", 0, 4, 2),
        "kranggan": ("below", 2, 0, 4),
    }


def test_a_kecamatan_with_neighbours_all_round_is_named_over_its_first_tile() -> None:
    kecamatan = [
        Kecamatan(key="ring", name="Ring", kelurahan=[
            Kelurahan(key=f"r{n}", name=f"R{n}", tile=Tile(row=row, col=col))
            for n, (row, col) in enumerate([(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0),
                                            (2, 1), (2, 2)])
        ]),
        Kecamatan(key="core", name="Core", kelurahan=[
            Kelurahan(key="c", name="C", tile=Tile(row=1, col=1))
        ]),
    ]  # fmt: skip
    layout = city_map(PROFILE.model_copy(update={"kecamatan": kecamatan}))
    core = next(label for label in layout.kecamatan if label.key == "core")
    assert (core.side, core.row, core.col, core.span) == ("over", 1, 1, 1)
