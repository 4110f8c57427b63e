"""The checkpointer's Merkle tree without Kafka or Redis: every record read is one leaf in
the order read, a restart from the recorded head resumes the same tree and appends
nothing twice, and the tree rebuilt from the batches and the log matches its roots."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest

from consumers.audit.tree import LogTree, TreeStateError
from consumers.audit.tree_check import check_tree
from pantau.tlog.blinding import derived_salts
from pantau.tlog.checkpoint import open_checkpoint
from pantau.tlog.compact import CompactRange
from pantau.tlog.keys import generate_key
from pantau.tlog.leaf import Leaves
from pantau.tlog.order import leaf_order
from pantau.tlog.records import LeafBatch, TreeHead
from pantau.tlog.signers import NoteSigner, NoteVerifier
from pantau.tlog.store import CHECKPOINT_FILE, directory_store

SECRET = b"s" * 32
ORIGIN = "mojokerto.example/pantau"


def _records(label: str, offsets: range) -> list[tuple[int, bytes]]:
    return [
        (o, orjson.dumps({"event_id": f"{label}-{o}", "description": "jalan rusak"}))
        for o in offsets
    ]


def _root_of(values: list[bytes]) -> bytes:
    edge = CompactRange()
    edge.extend(Leaves(derived_salts(SECRET)).hashes(values))
    return edge.root()


def test_every_record_is_one_leaf_in_the_order_read(tmp_path: Path) -> None:
    tree = LogTree.resume(directory_store(tmp_path), SECRET, None)
    a, b = _records("a[0]", range(0, 300)), _records("b[1]", range(5, 9))
    tree.add("a[0]", a[:200])
    tree.add("b[1]", b)
    tree.add("a[0]", a[200:])
    batch, head = tree.batch()
    assert batch.runs == [("a[0]", 0, 200), ("b[1]", 5, 4), ("a[0]", 200, 100)]
    assert batch.first_index == 0 and batch.size == 304
    expected = _root_of([v for _, v in a[:200] + b + a[200:]])
    assert base64.b64decode(batch.root) == expected
    assert head.next_offsets == {"a[0]": 300, "b[1]": 9}
    assert head.compact_range().root() == expected


def test_a_gap_in_the_offsets_starts_a_new_run(tmp_path: Path) -> None:
    tree = LogTree.resume(directory_store(tmp_path), SECRET, None)
    tree.add("a[0]", _records("a[0]", range(0, 3)) + _records("a[0]", range(4, 6)))
    assert tree.batch()[0].runs == [("a[0]", 0, 3), ("a[0]", 4, 2)]


def test_a_restart_resumes_the_same_tree_and_skips_what_it_holds(tmp_path: Path) -> None:
    records = _records("a[0]", range(0, 1000))
    tree = LogTree.resume(directory_store(tmp_path), SECRET, None)
    tree.add("a[0]", records[:700])
    _, head = tree.batch()
    tree.committed()
    # Read on, crash before the next batch is recorded: the head in Redis is the old one.
    tree.add("a[0]", records[700:900])
    tree.batch()
    stored = TreeHead.model_validate_json(head.model_dump_json())
    again = LogTree.resume(directory_store(tmp_path), SECRET, stored)
    assert again.size == 700
    again.add("a[0]", records[500:])  # the chain's head may be behind: read from there
    batch, _ = again.batch()
    assert batch.first_index == 700 and batch.runs == [("a[0]", 700, 300)]
    assert again.writer.root() == _root_of([v for _, v in records])


def test_a_head_without_its_tiles_is_refused(tmp_path: Path) -> None:
    tree = LogTree.resume(directory_store(tmp_path / "one"), SECRET, None)
    tree.add("a[0]", _records("a[0]", range(0, 10)))
    _, head = tree.batch()
    with pytest.raises(TreeStateError, match="restore the tiles folder"):
        LogTree.resume(directory_store(tmp_path / "other"), SECRET, head)


def test_a_signed_checkpoint_covers_the_recorded_tree(tmp_path: Path) -> None:
    key = generate_key(ORIGIN)
    tree = LogTree.resume(directory_store(tmp_path), SECRET, None)
    tree.add("a[0]", _records("a[0]", range(0, 5)))
    with pytest.raises(RuntimeError):
        tree.sign(NoteSigner(key))
    tree.batch()
    tree.committed()
    note = tree.sign(NoteSigner(key))
    served = (tmp_path / "tlog" / CHECKPOINT_FILE).read_bytes()
    checkpoint, _ = open_checkpoint(served, [NoteVerifier(key.verifier())])
    assert served.decode() == note.encode()
    assert (checkpoint.size, checkpoint.root) == (5, tree.writer.root())


def _two_batches(tmp_path: Path) -> tuple[list[LeafBatch], dict[tuple[str, int], bytes]]:
    tree = LogTree.resume(directory_store(tmp_path), SECRET, None)
    records = {("a[0]", o): v for o, v in _records("a[0]", range(0, 40))}
    records |= {("b[0]", o): v for o, v in _records("b[0]", range(0, 40))}
    batches = []
    for start in (0, 20):
        for label in ("a[0]", "b[0]"):
            tree.add(label, [(o, records[label, o]) for o in range(start, start + 20)])
        batches.append(tree.batch()[0])
        tree.committed()
    return batches, records


def test_the_tree_rebuilt_from_the_batches_and_the_log_matches(tmp_path: Path) -> None:
    batches, records = _two_batches(tmp_path)
    leaves = Leaves(derived_salts(SECRET))
    assert check_tree(batches, records, [], leaves).findings == []
    assert check_tree(batches, records, [], leaves).size == 80


def test_a_batch_recorded_again_replaces_the_first(tmp_path: Path) -> None:
    batches, _ = _two_batches(tmp_path)
    stale = batches[1].model_copy(update={"runs": [("b[0]", 20, 20), ("a[0]", 20, 20)]})
    order = leaf_order([batches[0], stale, batches[1]])
    assert order == leaf_order(batches)


@pytest.mark.parametrize("tamper", ["removed", "changed", "reordered"])
def test_a_tampered_log_is_caught(tmp_path: Path, tamper: str) -> None:
    batches, records = _two_batches(tmp_path)
    if tamper == "removed":
        del records["a[0]", 7]
    elif tamper == "changed":
        records["b[0]", 30] = records["b[0]", 30].replace(b"rusak", b"bagus")
    else:
        records["a[0]", 3], records["a[0]", 4] = records["a[0]", 4], records["a[0]", 3]
    assert check_tree(batches, records, [], Leaves(derived_salts(SECRET))).findings
