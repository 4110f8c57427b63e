"""The log's benchmark times the real thing: its root is the tree's over the cycled pool,
and its checkpoint is a signed note of that root."""

from __future__ import annotations

import json

from bench.tlog import ORIGIN, log_throughput
from pantau.tlog.blinding import derived_salts
from pantau.tlog.checkpoint import Checkpoint
from pantau.tlog.leaf import Leaves
from pantau.tlog.note import parse_note
from pantau.tlog.store import MemoryStore
from tests.factories import complaint_document, program_document
from tests.unit.tlog.reference import mth


def test_the_benchmark_builds_the_log_of_its_records() -> None:
    pool = [json.dumps(complaint_document()).encode(), json.dumps(program_document()).encode()]
    store = MemoryStore()
    result = log_throughput(pool, 601, store)
    leaves = Leaves(derived_salts(bytes(32)))
    entries = [leaves.entry(pool[i % 2]) for i in range(601)]
    assert result.events == 601 and result.root == mth(entries)
    note = parse_note(store.read("checkpoint"))
    assert Checkpoint.parse(note.text) == Checkpoint(ORIGIN, 601, result.root)
    assert "tile/0/002.p/89" in store.files and result.rate > 0 and result.cpu_rate > 0
