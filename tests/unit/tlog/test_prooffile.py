"""Proof files: what a citizen or an auditor checks offline with the log's public key."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from pantau.tlog.blinding import derived_salts
from pantau.tlog.checkpoint import Checkpoint, CheckpointError, sign_checkpoint
from pantau.tlog.cosignature import Cosigner
from pantau.tlog.keys import COSIGNATURE_V1, ED25519, KeyFormatError, SignerKey, generate_key
from pantau.tlog.leaf import Leaves
from pantau.tlog.note import NoteError
from pantau.tlog.prooffile import (
    ProofFileError,
    check_proof_file,
    consistency_file,
    inclusion_file,
)
from pantau.tlog.proofs import consistency_proof, inclusion_proof
from pantau.tlog.reader import TileReader
from pantau.tlog.signers import NoteSigner
from pantau.tlog.store import MemoryStore
from pantau.tlog.verify import ProofError
from pantau.tlog.writer import TreeWriter
from tests.factories import complaint_document, program_document

ORIGIN = "mojokerto.example/pantau"
SECRET = bytes(range(32))
LOG = SignerKey(ORIGIN, ED25519, bytes(32))
WITNESS = SignerKey("witness.example/w1", COSIGNATURE_V1, bytes(range(32)))


@dataclass
class Log:
    records: list[bytes]
    store: MemoryStore
    notes: dict[int, str]  # size -> signed (and cosigned) checkpoint


def grown_log() -> Log:
    records = [
        json.dumps(complaint_document(complaint_id=f"C-{i}", event_id=f"e-{i}")).encode()
        if i % 3
        else json.dumps(program_document(event_id=f"p-{i}")).encode()
        for i in range(300)
    ]
    leaves = Leaves(derived_salts(SECRET))
    store = MemoryStore()
    writer = TreeWriter(store)
    notes = {}
    for size in (120, 300):
        writer.extend(leaves.hashes(records[writer.size : size]))
        writer.write_partials()
        note = sign_checkpoint(Checkpoint(ORIGIN, size, writer.root()), [NoteSigner(LOG)])
        cosigned = Cosigner(WITNESS).cosign(note.text.encode(), 1_780_000_000)
        notes[size] = note.with_signatures([cosigned]).encode()
    return Log(records, store, notes)


def inclusion(log: Log, index: int, **leaf: Any) -> bytes:
    proof = inclusion_proof(TileReader(log.store, 300), index, 300)
    return json.dumps(inclusion_file(log.notes[300], index, proof, **leaf)).encode()


def consistency(log: Log) -> bytes:
    proof = consistency_proof(TileReader(log.store, 300), 120, 300)
    return json.dumps(consistency_file(log.notes[120], log.notes[300], proof)).encode()


def test_a_citizen_checks_their_complaint_with_the_salt_and_the_log_key() -> None:
    log = grown_log()
    event = json.loads(log.records[7])
    salt = derived_salts(SECRET)(event["complaint_id"])
    checked = check_proof_file(
        inclusion(log, 7, event=event, salt=salt), LOG.verifier(), [WITNESS.verifier()]
    )
    assert checked.statement == "leaf 7 is in the tree of 300 leaves"
    assert checked.cosigned == [("witness.example/w1", 1_780_000_000)]
    with pytest.raises(ProofError):  # another text than the one logged
        event["description"] = "Lampu jalan mati"
        check_proof_file(inclusion(log, 7, event=event, salt=salt), LOG.verifier())


def test_the_leaf_may_be_given_as_its_hash_or_its_entry() -> None:
    log = grown_log()
    leaves = Leaves(derived_salts(SECRET))
    entry = leaves.entry(log.records[9]).decode()
    assert check_proof_file(inclusion(log, 9, entry=entry), LOG.verifier())
    leaf = leaves.hash(log.records[9])
    assert check_proof_file(inclusion(log, 9, leaf_hash=leaf), LOG.verifier())
    program = json.loads(log.records[0])  # no free text: no salt needed
    assert check_proof_file(inclusion(log, 0, event=program), LOG.verifier())
    with pytest.raises(ProofError):
        check_proof_file(inclusion(log, 10, leaf_hash=leaf), LOG.verifier())


def test_a_consistency_file_proves_the_newer_checkpoint_extends_the_older() -> None:
    checked = check_proof_file(consistency(grown_log()), LOG.verifier(), [WITNESS.verifier()])
    assert checked.statement == "the tree of 300 leaves extends the one of 120"


def test_a_rewritten_checkpoint_or_a_stranger_key_fails() -> None:
    log = grown_log()
    data = inclusion(log, 4, leaf_hash=Leaves(derived_salts(SECRET)).hash(log.records[4]))
    with pytest.raises(NoteError, match="does not verify"):
        check_proof_file(data.replace(b"\\n300\\n", b"\\n301\\n"), LOG.verifier())
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        check_proof_file(data, generate_key(ORIGIN).verifier())
    with pytest.raises(NoteError, match="no valid cosignature by the witness"):
        stranger = generate_key("witness.example/w2", COSIGNATURE_V1)
        check_proof_file(data, LOG.verifier(), [stranger.verifier()])
    with pytest.raises(KeyFormatError, match="not the log's key"):
        check_proof_file(data, WITNESS.verifier())
    other = SignerKey("other.example/log", ED25519, bytes(32))
    note = sign_checkpoint(Checkpoint(other.name, 1, bytes(32)), [NoteSigner(other)])
    foreign = json.loads(data)
    foreign["checkpoint"] = note.encode()
    with pytest.raises(NoteError):  # signed, but by another log's key
        check_proof_file(json.dumps(foreign).encode(), LOG.verifier())
    elsewhere = sign_checkpoint(Checkpoint("other.example/log", 1, bytes(32)), [NoteSigner(LOG)])
    foreign["checkpoint"] = elsewhere.encode()
    with pytest.raises(CheckpointError, match="not of"):  # the log's key, another origin
        check_proof_file(json.dumps(foreign).encode(), LOG.verifier())


def test_an_unreadable_file_names_what_is_wrong() -> None:
    log = grown_log()
    good = json.loads(inclusion(log, 3, leaf_hash=bytes(32)))
    cases = {
        b"not json": "not JSON",
        b'{"proof": "inclusion"}': "checkpoint",
        b'{"proof": "receipt"}': "proof",
        json.dumps({**good, "hashes": ["AAAA"]}).encode(): "hashes[0]",
        json.dumps({**good, "extra": 1}).encode(): "extra",
        json.dumps({**good, "entry": "{}"}).encode(): "leaf once",
        json.dumps({k: v for k, v in good.items() if k != "leaf_hash"}
                   | {"event": complaint_document()}).encode(): "salt",
    }  # fmt: skip
    for data, named in cases.items():
        with pytest.raises(ProofFileError, match=re.escape(named)):
            check_proof_file(data, LOG.verifier())
