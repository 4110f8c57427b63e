"""A receipt file: every proof in it checks, and a citizen's own text and salt give the
leaf of their event only if they are the ones the log recorded."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from pantau.cli import app
from pantau.tlog.checkpoint import Checkpoint, sign_checkpoint
from pantau.tlog.keys import generate_key
from pantau.tlog.leaf import Leaves
from pantau.tlog.prooffile import ProofFileError, inclusion_file
from pantau.tlog.proofs import inclusion_proof
from pantau.tlog.reader import TileReader
from pantau.tlog.receipt import check_receipt, read_receipt, receipt_file
from pantau.tlog.signers import NoteSigner
from pantau.tlog.store import MemoryStore
from pantau.tlog.verify import ProofError
from pantau.tlog.writer import TreeWriter

KEY = generate_key("mojokerto.example/pantau")
SALT = bytes(range(32))
TEXT = "Sampah menumpuk di Jl. Majapahit"


def _event(number: int, **fields: object) -> bytes:
    return orjson.dumps({"event_id": f"e{number}", "complaint_id": "MJK-1", **fields})


def _receipt() -> bytes:
    leaves = Leaves(lambda _complaint_id: SALT)
    records = [_event(n) for n in range(6)]
    records[2] = _event(2, status="received", description=TEXT, lat=-7.4711)
    records[4] = _event(4, status="verified", description=None)
    store = MemoryStore()
    writer = TreeWriter(store)
    writer.extend(leaves.hashes(records))
    writer.write_partials()
    note = sign_checkpoint(Checkpoint(KEY.name, 6, writer.root()), [NoteSigner(KEY)]).encode()
    proofs = [
        inclusion_file(note, index, inclusion_proof(TileReader(store, 6), index, 6),
                       entry=leaves.entry(records[index]).decode())
        for index in (2, 4)
    ]  # fmt: skip
    return json.dumps(receipt_file("MJK-1", proofs)).encode()


def test_every_proof_of_a_receipt_checks() -> None:
    receipt = read_receipt(_receipt())
    assert receipt is not None
    checked = check_receipt(receipt, KEY.verifier())
    assert [c.statement for c in checked] == [
        "leaf 2 is in the tree of 6 leaves",
        "leaf 4 is in the tree of 6 leaves",
    ]


def test_the_citizen_s_text_and_salt_give_their_leaf_and_nothing_else_does() -> None:
    receipt = read_receipt(_receipt())
    assert receipt is not None
    assert len(check_receipt(receipt, KEY.verifier(), own=(SALT, TEXT))) == 2
    with pytest.raises(ProofError):
        check_receipt(receipt, KEY.verifier(), own=(SALT, TEXT + " "))
    with pytest.raises(ProofError):
        check_receipt(receipt, KEY.verifier(), own=(bytes(32), TEXT))


def test_another_proof_file_is_not_a_receipt_and_an_empty_receipt_is_refused() -> None:
    assert read_receipt(b'{"proof": "inclusion"}') is None
    assert read_receipt(b"not json") is None
    empty = read_receipt(b'{"proof": "receipt", "service_request_id": "MJK-1", "proofs": []}')
    assert empty is not None
    with pytest.raises(ProofFileError, match="proofs"):
        check_receipt(empty, KEY.verifier())


def test_check_proof_reads_a_receipt_and_the_citizen_s_text(tmp_path: Path) -> None:
    path = tmp_path / "receipt.json"
    path.write_bytes(_receipt())
    key = KEY.verifier().encode()
    runner = CliRunner()
    plain = runner.invoke(app, ["audit", "check-proof", str(path), "--key", key])
    assert plain.exit_code == 0, plain.output
    assert plain.output.count("verified: leaf") == 2
    own = ["--salt", SALT.hex(), "--description", TEXT]
    mine = runner.invoke(app, ["audit", "check-proof", str(path), "--key", key, *own])
    assert mine.exit_code == 0 and "your text and salt" in mine.output, mine.output
    other = ["--salt", SALT.hex(), "--description", "something else"]
    wrong = runner.invoke(app, ["audit", "check-proof", str(path), "--key", key, *other])
    assert wrong.exit_code == 1, wrong.output
    # The log is sound: it is the citizen's text that is not the recorded one.
    assert "proofs hold, but your text and salt do not give the recorded leaf" in wrong.output
    stranger = generate_key("elsewhere.example/log").verifier().encode()
    forged = runner.invoke(app, ["audit", "check-proof", str(path), "--key", stranger, *own])
    assert forged.exit_code == 1 and "does not verify" in forged.output, forged.output
