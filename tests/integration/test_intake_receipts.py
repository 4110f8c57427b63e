"""A citizen's receipt end to end, against the real broker and Redis: a complaint posted
to the intake over HTTP, the checkpointer taking it into the log's tree and signing, an
outside witness co-signing, and the receipt's proofs checked with the library's verifier
and with `pantau audit check-proof` in a process of its own, the citizen's own leaf
recomputed from their text and salt.

The session's audit topic records one tree: this module's checkpointer starts its own
(prefix and state folder of its own) after test_audit_tree.py's, and the leaf order
takes the later tree from leaf 0, as after a rebuild."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest
import redis
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from consumers.audit.checkpoint import Checkpointer
from consumers.audit.log_routes import log_routes
from consumers.audit.witness import Witness
from pantau.context import Context
from pantau.contract.city import Witnessing, load_city_profile
from pantau.contract.settings import Settings
from pantau.health import HealthServer, Heartbeat
from pantau.publisher import EventPublisher
from pantau.tlog.hashing import leaf_hash
from pantau.tlog.keys import COSIGNATURE_V1, SignerKey, VerifierKey, generate_key
from pantau.tlog.leaf import own_leaf
from pantau.tlog.receipt import check_receipt, read_receipt
from pantau.tlog.verify import ProofError
from producers.intake.app import create_app
from producers.intake.cli import build_context
from tests.integration.servers import Server
from tests.integration.test_intake import _free_port

PREFIX = "pantau-t-receipts"
ORIGIN = "mojokerto.example/receipts"
API_KEY = "test-receipts-key"
TEXT = "Lampu jalan mati di depan rumah Bu Sri 0813-2222-3333"


@dataclass
class Stack:
    settings: Settings
    redis: redis.Redis
    intake: httpx.Client
    witness: Witness
    witness_key: SignerKey


@pytest.fixture(scope="module")
def stack(live_stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("receipts")
    settings = live_stack.model_copy(
        update={
            "redis_prefix": PREFIX,
            "state_dir": folder,
            "tlog_secret": SecretStr("r" * 40),
            "tlog_signing_key": SecretStr(generate_key(ORIGIN).encode()),
            "intake_api_keys": SecretStr(API_KEY),
        }
    )
    witness_key = generate_key("witness.example/receipts", COSIGNATURE_V1)
    witnessing = Witnessing(witnesses=[witness_key.verifier().encode()], quorum=1)
    context = Context(settings)
    context.profile = load_city_profile("mojokerto").model_copy(update={"witnessing": witnessing})
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    routes = log_routes(settings, client, witnessing)
    assert routes is not None
    log = HealthServer(CollectorRegistry(), Heartbeat(60), "127.0.0.1", 0, routes).start()
    witness = Witness(
        witness_key, _log_key(settings), f"http://127.0.0.1:{log.port}", folder / "witness.json"
    )
    port = _free_port()
    with (
        EventPublisher(settings, client_id="pantau-intake-receipts") as publisher,
        Server(create_app(build_context(context, publisher)), port),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as intake,
    ):
        try:
            yield Stack(settings, client, intake, witness, witness_key)
        finally:
            log.close()
            client.close()


def _log_key(settings: Settings) -> VerifierKey:
    assert settings.tlog_signing_key is not None
    return SignerKey.parse(settings.tlog_signing_key.get_secret_value()).verifier()


def _pantau(*args: str) -> subprocess.CompletedProcess[str]:
    """A command as a citizen runs it: no settings of the log's, only files and keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    return subprocess.run([sys.executable, "-m", "pantau", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


def test_a_citizen_s_receipt_proves_their_complaint_once_witnessed(
    stack: Stack, tmp_path: Path
) -> None:
    form = {"api_key": API_KEY, "service_code": "sampah", "attribute[kelurahan]": "wates",
            "lat": "-7.4711", "long": "112.4402", "description": TEXT}  # fmt: skip
    posted = stack.intake.post("/requests.json", data=form)
    assert posted.status_code == 200, posted.text
    [created] = posted.json()
    request_id, receipt = created["service_request_id"], created["receipt"]
    assert receipt["url"].endswith(f"/requests/{request_id}/receipt.json")
    salt = bytes.fromhex(receipt["salt"])
    step = stack.intake.post(
        "/api/v1/complaint-events",
        json={"complaint_id": request_id, "status": "verified"},
        headers={"X-API-Key": API_KEY},
    )
    assert step.status_code == 202, step.text

    pending = stack.intake.get(receipt["url"])
    assert pending.status_code == 202, pending.text
    assert pending.json()["event_id"] == receipt["event_id"]
    assert pending.headers["retry-after"] == "60"

    Checkpointer(stack.settings, stack.redis, every=100).run(until_caught_up=True)
    signed_only = stack.intake.get(receipt["url"])
    assert signed_only.status_code == 202, "a checkpoint no witness co-signed proves nothing yet"
    assert "co-signed" in signed_only.json()["description"]

    outcome = stack.witness.round()
    assert outcome.cosigned, outcome.message
    answer = stack.intake.get(receipt["url"])
    assert answer.status_code == 200, answer.text
    path = tmp_path / "receipt.json"
    path.write_bytes(answer.content)
    assert TEXT not in answer.text and receipt["salt"] not in answer.text

    # The library's verifier: both events, against the witnessed checkpoint.
    parsed = read_receipt(answer.content)
    assert parsed is not None and parsed.service_request_id == request_id
    entries = [orjson.loads(proof.entry or "") for proof in parsed.proofs]
    assert entries[0]["event_id"] == receipt["event_id"]
    assert [e["status"] for e in entries] == ["received", "verified"]
    log_key, witness_key = _log_key(stack.settings), stack.witness_key.verifier()
    checked = check_receipt(parsed, log_key, [witness_key], own=(salt, TEXT))
    assert [c.cosigned[0][0] for c in checked] == ["witness.example/receipts"] * 2
    with pytest.raises(ProofError):
        check_receipt(parsed, log_key, [witness_key], own=(salt, TEXT + "!"))

    # The citizen's leaf from their event and salt is the leaf the log proves.
    mine = {**entries[0], "description": TEXT}
    assert own_leaf(orjson.dumps(mine), salt) == leaf_hash((parsed.proofs[0].entry or "").encode())

    # pantau audit check-proof, offline, with the public keys alone.
    (tmp_path / "log.pub").write_text(log_key.encode() + "\n")
    (tmp_path / "witness.pub").write_text(witness_key.encode() + "\n")
    keys = ["--key", str(tmp_path / "log.pub"), "--witness", str(tmp_path / "witness.pub")]
    plain = _pantau("audit", "check-proof", str(path), *keys)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert plain.stdout.count("verified: leaf") == 2, plain.stdout
    own = _pantau("audit", "check-proof", str(path), *keys,
                  "--salt", receipt["salt"], "--description", TEXT)  # fmt: skip
    assert own.returncode == 0, own.stdout + own.stderr
    assert "your text and salt give the recorded leaf" in own.stdout
    other = _pantau("audit", "check-proof", str(path), *keys,
                    "--salt", receipt["salt"], "--description", "Lampu jalan mati")  # fmt: skip
    assert other.returncode == 1, other.stdout + other.stderr


def test_an_unknown_request_has_no_receipt(stack: Stack) -> None:
    answer = stack.intake.get("/requests/MJK-0-unknown/receipt.json")
    assert answer.status_code == 404
    assert json.loads(answer.text) == [
        {"code": 404, "description": "service_request_id: no receipt for request 'MJK-0-unknown'"}
    ]
