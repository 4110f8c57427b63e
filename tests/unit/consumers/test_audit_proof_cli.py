"""`pantau audit keygen` and `pantau audit check-proof`: keys in the signed-note forms,
and a proof checked offline with the public key alone, in a fraction of a second."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pantau.cli import app
from pantau.tlog.checkpoint import Checkpoint, sign_checkpoint
from pantau.tlog.hashing import leaf_hash
from pantau.tlog.keys import SignerKey, VerifierKey
from pantau.tlog.prooffile import inclusion_file
from pantau.tlog.proofs import inclusion_proof
from pantau.tlog.reader import TileReader
from pantau.tlog.signers import NoteSigner
from pantau.tlog.store import MemoryStore
from pantau.tlog.writer import TreeWriter

ORIGIN = "mojokerto.example/pantau"
# What a proof check must not start: the stream's clients, the web stack, the contract's
# models and settings.
ROLES = ("faust", "aiokafka", "kafka", "redis", "fastapi", "uvicorn", "httpx",
         "pydantic_settings", "prometheus_client", "pantau.contract.events",
         "pantau.contract.settings", "pantau.contract.city", "pantau.state")  # fmt: skip


def keygen(folder: Path, *more: str) -> str:
    done = CliRunner().invoke(app, ["audit", "keygen", ORIGIN, "--out", str(folder / "log"), *more])
    assert done.exit_code == 0, done.output
    return done.output


def proof_file(folder: Path, index: int = 3) -> Path:
    key = SignerKey.parse((folder / "log.key").read_text())
    store = MemoryStore()
    writer = TreeWriter(store)
    writer.extend(leaf_hash(b"event %d" % i) for i in range(10))
    writer.write_partials()
    note = sign_checkpoint(Checkpoint(ORIGIN, 10, writer.root()), [NoteSigner(key)]).encode()
    proof = inclusion_proof(TileReader(store, 10), index, 10)
    path = folder / "proof.json"
    leaf = leaf_hash(b"event %d" % index)
    path.write_text(json.dumps(inclusion_file(note, index, proof, leaf_hash=leaf)))
    return path


def test_keygen_writes_a_secret_signer_key_and_its_verifier_key(tmp_path: Path) -> None:
    output = keygen(tmp_path)
    signer = SignerKey.parse((tmp_path / "log.key").read_text())
    verifier = VerifierKey.parse((tmp_path / "log.pub").read_text())
    assert signer.name == ORIGIN and signer.verifier() == verifier
    assert verifier.encode() in output
    assert (tmp_path / "log.key").stat().st_mode & 0o777 == 0o600
    again = CliRunner().invoke(app, ["audit", "keygen", ORIGIN, "--out", str(tmp_path / "log")])
    assert again.exit_code == 2 and "not overwritten" in again.output
    assert SignerKey.parse((tmp_path / "log.key").read_text()) == signer


def test_public_key_prints_the_verifier_of_the_log_s_signing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keygen(tmp_path)
    signer = SignerKey.parse((tmp_path / "log.key").read_text())
    monkeypatch.setenv("PANTAU_TLOG_SIGNING_KEY", signer.encode())
    shown = CliRunner().invoke(app, ["audit", "public-key"])
    assert shown.exit_code == 0, shown.output
    assert VerifierKey.parse(shown.output.strip()) == signer.verifier()
    monkeypatch.delenv("PANTAU_TLOG_SIGNING_KEY")
    unset = CliRunner().invoke(app, ["audit", "public-key"])
    assert unset.exit_code == 2 and "PANTAU_TLOG_SIGNING_KEY is not set" in unset.output


def test_keygen_makes_witness_keys_and_refuses_bad_names(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["audit", "keygen", "witness.example/w1", "--out", str(tmp_path / "w"), "--witness"]
    )
    assert done.exit_code == 0, done.output
    assert SignerKey.parse((tmp_path / "w.key").read_text()).key_type == 0x04
    bad = CliRunner().invoke(app, ["audit", "keygen", "a+b", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and not (tmp_path / "x.key").exists()


def test_check_proof_answers_0_1_or_2(tmp_path: Path) -> None:
    keygen(tmp_path)
    path = proof_file(tmp_path)
    key = str(tmp_path / "log.pub")
    done = CliRunner().invoke(app, ["audit", "check-proof", str(path), "--key", key])
    assert done.exit_code == 0, done.output
    assert "verified: leaf 3 is in the tree of 10 leaves of mojokerto.example/pantau" in done.output
    text = (tmp_path / "log.pub").read_text()  # the key as text works as well as its file
    assert (
        CliRunner().invoke(app, ["audit", "check-proof", str(path), "--key", text]).exit_code == 0
    )
    tampered = json.loads(path.read_text())
    tampered["index"] = 4
    path.write_text(json.dumps(tampered))
    done = CliRunner().invoke(app, ["audit", "check-proof", str(path), "--key", key])
    assert done.exit_code == 1 and "does not verify" in done.output
    path.write_text("{}")
    done = CliRunner().invoke(app, ["audit", "check-proof", str(path), "--key", key])
    assert done.exit_code == 2
    done = CliRunner().invoke(app, ["audit", "check-proof", str(path), "--key", "nonsense"])
    assert done.exit_code == 2 and "not a verifier key" in done.output


PROBE = """
import json, runpy, sys
sys.argv = ["pantau", *sys.argv[1:]]
try:
    runpy.run_module("pantau", run_name="__main__")
except SystemExit as done:
    code = done.code
roles = ROLES
loaded = sorted(m for m in sys.modules if any(m == r or m.startswith(r + ".") for r in roles))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def test_check_proof_runs_alone_in_well_under_a_second(tmp_path: Path) -> None:
    keygen(tmp_path)
    path = proof_file(tmp_path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("ROLES", repr(ROLES)), "audit", "check-proof",
         str(path), "--key", str(tmp_path / "log.pub")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    assert probe["code"] is None or probe["code"] == 0, done.stdout + done.stderr
    assert probe["loaded"] == [], f"check-proof imported {probe['loaded']}"
    # The processor's time, not the clock's: other work on the machine does not count.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 1.0, f"check-proof took {cpu:.2f} s of processor time"
