"""The tree as it grows: the same roots as the RFC's definition at every size, tiles as
C2SP tlog-tiles lays them out, and a writer that resumes where its checkpoint stood."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.tlog.compact import CompactRange
from pantau.tlog.hashing import leaf_hash
from pantau.tlog.proofs import root_hash
from pantau.tlog.reader import TileReader
from pantau.tlog.store import DirectoryStore, MemoryStore, MissingTileError
from pantau.tlog.tiles import Tile, partial_tiles, tiles_of
from pantau.tlog.writer import TreeWriter
from tests.unit.tlog.reference import mth


def entries(count: int) -> list[bytes]:
    return [b"event %d" % i for i in range(count)]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=700))
def test_the_root_at_every_size_is_the_rfcs(size: int) -> None:
    data = entries(size)
    writer = TreeWriter(MemoryStore())
    writer.extend(leaf_hash(e) for e in data)
    assert writer.root() == mth(data)


def test_appending_one_at_a_time_or_in_runs_gives_the_same_tiles() -> None:
    one, runs = MemoryStore(), MemoryStore()
    by_one, by_runs = TreeWriter(one), TreeWriter(runs)
    hashes = [leaf_hash(e) for e in entries(3000)]
    for leaf in hashes:
        by_one.append(leaf)
    at = 0
    for run in itertools.cycle((97, 600, 256, 1, 1100)):  # across tiles, and within
        if at >= len(hashes):
            break
        by_runs.extend(hashes[at : at + run])
        at += run
    by_one.write_partials()
    by_runs.write_partials()
    assert one.files == runs.files
    assert by_one.root() == by_runs.root()


def test_tiles_are_laid_out_as_the_spec_describes_a_tree_of_70000() -> None:
    # The spec's own example: 273 full level-0 tiles, a partial one of 112, one full
    # level-1 tile, a partial one of 17 and a partial level-2 tile of 1.
    kinds = Counter((t.level, t.width) for t in tiles_of(70_000))
    assert kinds == {(0, 256): 273, (0, 112): 1, (1, 256): 1, (1, 17): 1, (2, 1): 1}
    assert [t.path for t in partial_tiles(70_000)] == [
        "tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1",
    ]  # fmt: skip
    assert [t.path for t in tiles_of(256)] == ["tile/0/000", "tile/1/000.p/1"]


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(0, 0), "tile/0/000"),
        (Tile(3, 1000, 5), "tile/3/x001/000.p/5"),
        (Tile(63, 999, 255), "tile/63/999.p/255"),
    ],
)
def test_tile_paths_round_trip(tile: Tile, path: str) -> None:
    assert tile.path == path
    assert Tile.parse(path) == tile


@pytest.mark.parametrize(
    "path",
    ["tile/0/1234", "tile/0/x000/001", "tile/0/001.p/256", "tile/0/001.p/0", "tile/01/000",
     "tile/64/000", "tile/0/001.p/07", "tile/0/001/"],
)  # fmt: skip
def test_malformed_tile_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="tile"):
        Tile.parse(path)


def test_a_tile_holds_the_hashes_the_spec_defines() -> None:
    store = MemoryStore()
    writer = TreeWriter(store)
    data = entries(256 * 2 + 3)
    writer.extend(leaf_hash(e) for e in data)
    writer.write_partials()
    assert store.read("tile/0/001") == b"".join(leaf_hash(e) for e in data[256:512])
    # Level 1 holds the roots of full level-0 tiles, and no partial one's.
    assert store.read("tile/1/000.p/2") == mth(data[:256]) + mth(data[256:512])
    assert store.read("tile/0/002.p/3") == b"".join(leaf_hash(e) for e in data[512:])


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=1300), st.integers(min_value=0, max_value=300))
def test_a_writer_resumed_from_its_partial_tiles_continues_the_same_tree(
    first: int, more: int
) -> None:
    data = entries(first + more)
    store = MemoryStore()
    writer = TreeWriter(store)
    writer.extend(leaf_hash(e) for e in data[:first])
    writer.write_partials()
    resumed = TreeWriter.resume(store, first)
    assert resumed.root() == writer.root()
    resumed.extend(leaf_hash(e) for e in data[first:])
    resumed.write_partials()
    assert resumed.root() == mth(data)
    assert root_hash(TileReader(store, first + more), first + more) == mth(data)


def test_resuming_without_the_checkpoints_partial_tiles_is_refused() -> None:
    store = MemoryStore()
    TreeWriter(store).extend(leaf_hash(e) for e in entries(300))  # no partials written
    with pytest.raises(MissingTileError):
        TreeWriter.resume(store, 300)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=3000))
def test_the_right_edge_persists_and_resumes(size: int) -> None:
    edge = CompactRange()
    edge.extend(leaf_hash(e) for e in entries(size))
    again = CompactRange.from_bytes(edge.to_bytes())
    assert again.size == size and again.root() == edge.root()
    assert len(edge.hashes) == size.bit_count()  # one subtree per set bit of the size
    again.append(leaf_hash(b"next"))
    assert again.root() == mth([*entries(size), b"next"])


def test_a_right_edge_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="edge hashes"):
        CompactRange(3, [leaf_hash(b"a")])
    with pytest.raises(ValueError, match="8-byte size"):
        CompactRange.from_bytes(b"\x00")


def test_tiles_in_a_folder_are_the_files_a_web_server_serves(tmp_path: Path) -> None:
    writer = TreeWriter(DirectoryStore(tmp_path))
    writer.extend(leaf_hash(e) for e in entries(70_000))
    writer.write_partials()
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == sorted(t.path for t in tiles_of(70_000))
    reader = TileReader(DirectoryStore(tmp_path), 70_000)
    assert root_hash(reader, 70_000) == writer.root()
