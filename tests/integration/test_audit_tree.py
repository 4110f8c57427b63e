"""The checkpointer's Merkle tree against the real broker and Redis: every event of the
log is one leaf, once, even when the checkpointer dies between the audit topic and
Redis; the tree rebuilt from the log matches every batch and signed checkpoint; a
checkpoint rewritten in the audit topic is caught.

One tree for the whole module (one prefix, one state folder): the audit topic is shared
by the session, and it records one log."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import redis
from kafka import KafkaProducer
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from consumers.audit.checkpoint import Checkpointer
from consumers.audit.log_routes import LogRoutes, log_routes
from consumers.audit.prove import inclusion, locate
from consumers.audit.tree_recorder import TreeRecorder
from consumers.audit.tree_run import audit_tree, event_records, opened_checkpoints
from consumers.audit.witness import Witness
from pantau.contract.city import Witnessing
from pantau.contract.connections import kafka_options
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import AUDIT
from pantau.health import HealthServer, Heartbeat
from pantau.publisher import EventPublisher
from pantau.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from pantau.tlog.cosignature import CosignatureVerifier, Cosigner
from pantau.tlog.hashing import leaf_hash
from pantau.tlog.keys import COSIGNATURE_V1, SignerKey, generate_key
from pantau.tlog.note import parse_note, verified
from pantau.tlog.prooffile import check_proof_file
from pantau.tlog.proving import proof_checkpoint
from pantau.tlog.recorded import recorded_tree
from pantau.tlog.records import CHECKPOINT_KEY, TreeHead
from pantau.tlog.signers import NoteSigner, NoteVerifier
from pantau.tlog.store import DirectoryStore
from pantau.tlog.tiles import tile_for
from pantau.tlog.writer import TreeWriter
from producers.simulator.feed import SimulationConfig, city_feed
from tests.integration.worker_helpers import PROFILE

PREFIX = "pantau-t-tree"
ORIGIN = "mojokerto.example/pantau"


@pytest.fixture(scope="module")
def treed(
    live_stack: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, redis.Redis]]:
    key = generate_key(ORIGIN)
    settings = live_stack.model_copy(
        update={
            "redis_prefix": PREFIX,
            "state_dir": tmp_path_factory.mktemp("tree"),
            "tlog_secret": SecretStr("t" * 40),
            "tlog_signing_key": SecretStr(key.encode()),
        }
    )
    client = redis.Redis.from_url(settings.redis_url.get_secret_value())
    yield settings, client
    client.close()


def _feed(settings: Settings, seed: int, count: int) -> None:
    start = datetime.now(UTC) - timedelta(days=1)
    events = itertools.islice(city_feed(PROFILE, SimulationConfig(start, seed=seed)), count)
    with EventPublisher(settings, PROFILE, client_id=f"test-tree-{seed}") as publisher:
        for event in events:
            publisher.publish(event)


def _verifier(settings: Settings) -> NoteVerifier:
    assert settings.tlog_signing_key is not None
    return NoteVerifier(SignerKey.parse(settings.tlog_signing_key.get_secret_value()).verifier())


def _latest(settings: Settings) -> Checkpoint:
    """The latest checkpoint the log signed (a forged one in the topic is passed over)."""
    notes = asyncio.run(recorded_tree(settings)).notes
    return opened_checkpoints(notes, [_verifier(settings)])[0][-1]


def test_every_event_is_one_leaf_and_the_signed_root_is_the_log_s(
    treed: tuple[Settings, redis.Redis],
) -> None:
    settings, client = treed
    _feed(settings, seed=71, count=300)
    Checkpointer(settings, client, every=100).run(until_caught_up=True)
    records = asyncio.run(event_records(settings))
    checked = asyncio.run(audit_tree(settings, [_verifier(settings)]))
    assert checked.findings == []
    assert checked.size == len(records) >= 300
    assert _latest(settings).size == len(records)
    head = TreeHead.model_validate_json(client.get(KeySpace(PREFIX).audit_tree) or b"")
    assert head.compact_range().size == len(records)
    assert (Path(settings.state_dir) / "tlog" / "checkpoint").exists()


def test_a_crash_between_the_topic_and_redis_appends_nothing_twice(
    treed: tuple[Settings, redis.Redis], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, client = treed
    _feed(settings, seed=72, count=250)

    def publish_then_die(self: TreeRecorder, producer: KafkaProducer) -> None:
        from pantau.tlog.records import LEAVES_KEY

        batch, _ = self.tree.batch()
        producer.send(AUDIT.name, key=LEAVES_KEY, value=batch.model_dump_json().encode()).get(60)
        raise RuntimeError("killed between the topic and Redis")

    with monkeypatch.context() as patched:
        patched.setattr(TreeRecorder, "_record", publish_then_die)
        with pytest.raises(RuntimeError, match="killed"):
            Checkpointer(settings, client, every=100).run(until_caught_up=True)
    Checkpointer(settings, client, every=100).run(until_caught_up=True)
    records = asyncio.run(event_records(settings))
    checked = asyncio.run(audit_tree(settings, [_verifier(settings)]))
    assert checked.findings == []
    assert checked.size == len(records) == _latest(settings).size


def _http(url: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_log_is_served_and_takes_a_listed_witness_s_cosignature(
    treed: tuple[Settings, redis.Redis],
) -> None:
    settings, client = treed
    witness = generate_key("witness.example/one", COSIGNATURE_V1)
    stranger = generate_key("witness.example/one", COSIGNATURE_V1)
    witnessing = Witnessing(witnesses=[witness.verifier().encode()], quorum=1)
    routes = log_routes(settings, client, witnessing)
    assert routes is not None
    server = HealthServer(CollectorRegistry(), Heartbeat(60), "127.0.0.1", 0, routes).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        status, body = _http(f"{base}/checkpoint")
        assert status == 200
        checkpoint, note = open_checkpoint(body, [_verifier(settings)])
        tile = tile_for(0, 0, checkpoint.size)
        assert _http(f"{base}/{tile.path}") == (
            200,
            (Path(settings.state_dir) / "tlog" / tile.path).read_bytes(),
        )
        assert _http(f"{base}/tile/../../secret")[0] == 404
        assert _http(f"{base}/checkpoint/witnessed")[0] == 404

        forged = note.with_signatures(
            [Cosigner(stranger).cosign(note.text.encode(), 1_800_000_000)]
        )
        assert _http(f"{base}/add-cosignature", forged.encode().encode())[0] == 403
        cosigned = note.with_signatures(
            [Cosigner(witness).cosign(note.text.encode(), 1_800_000_000)]
        )
        assert _http(f"{base}/add-cosignature", cosigned.encode().encode()) == (200, b"kept\n")

        served = _http(f"{base}/checkpoint")[1]
        verified(parse_note(served), [CosignatureVerifier(witness.verifier())])
        assert _http(f"{base}/checkpoint/witnessed") == (200, served)
    finally:
        server.close()


def _pantau(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    assert settings.tlog_secret is not None and settings.tlog_signing_key is not None
    env = {**os.environ, "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
           "PANTAU_REDIS_PREFIX": PREFIX, "PANTAU_STATE_DIR": str(settings.state_dir),
           "PANTAU_TLOG_SECRET": settings.tlog_secret.get_secret_value(),
           "PANTAU_TLOG_SIGNING_KEY": settings.tlog_signing_key.get_secret_value(),
           "COLUMNS": "200"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "pantau", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip


def test_proofs_from_the_cli_verify_offline_with_the_log_s_key(
    treed: tuple[Settings, redis.Redis], tmp_path: Path
) -> None:
    settings, client = treed
    first = _latest(settings)
    _feed(settings, seed=73, count=50)
    Checkpointer(settings, client, every=100).run(until_caught_up=True)
    latest = _latest(settings)
    assert latest.size > first.size
    public = tmp_path / "log.pub"
    public.write_text(_verifier(settings).key.encode() + "\n")
    records = asyncio.run(event_records(settings))
    (label, offset), raw = next(iter(records.items()))
    topic, partition = label.removesuffix("]").rsplit("[", 1)
    event_id = orjson.loads(raw or b"")["event_id"]

    by_place = _pantau(settings, "audit", "prove", "--topic", topic, "--partition", partition,
                       "--offset", str(offset), "--out", str(tmp_path / "place"))  # fmt: skip
    by_id = _pantau(settings, "audit", "prove", event_id, "--out", str(tmp_path / "id"))
    between = _pantau(settings, "audit", "consistency", str(first.size),
                      "--out", str(tmp_path / "consistency.json"))  # fmt: skip
    for run in (by_place, by_id, between):
        assert run.returncode == 0, run.stdout + run.stderr
    files = [*(tmp_path / "place").glob("*.json"), *(tmp_path / "id").glob("*.json"),
             tmp_path / "consistency.json"]  # fmt: skip
    assert len(files) >= 3
    for file in files:
        checked = _pantau(settings, "audit", "check-proof", str(file), "--key", str(public))
        assert checked.returncode == 0, checked.stdout + checked.stderr
    # An entry never carries a complaint's text in the clear.
    for file in (tmp_path / "id").glob("*.json"):
        assert "salted-sha256:" in file.read_text() or "description" not in file.read_text()


def _forked_log(settings: Settings, folder: Path, size: int) -> None:
    """Another history under the log's own key: what a log showing a split view serves."""
    writer = TreeWriter(DirectoryStore(folder))
    writer.extend(leaf_hash(b"forged %d" % n) for n in range(size))
    writer.write_partials()
    assert settings.tlog_signing_key is not None
    signer = NoteSigner(SignerKey.parse(settings.tlog_signing_key.get_secret_value()))
    note = sign_checkpoint(Checkpoint(signer.name, size, writer.root()), [signer])
    (folder / "checkpoint").write_text(note.encode())


def test_a_witness_cosigns_what_extends_and_catches_a_split_view(
    treed: tuple[Settings, redis.Redis], tmp_path: Path
) -> None:
    settings, client = treed
    key = generate_key("witness.example/two", COSIGNATURE_V1)
    witnessing = Witnessing(witnesses=[key.verifier().encode()], quorum=1)
    routes = log_routes(settings, client, witnessing)
    assert routes is not None
    server = HealthServer(CollectorRegistry(), Heartbeat(60), "127.0.0.1", 0, routes).start()
    state = tmp_path / "witness.json"
    witness = Witness(key, _verifier(settings).key, f"http://127.0.0.1:{server.port}", state)
    try:
        first = witness.round()
        assert first.cosigned, first.message
        _feed(settings, seed=74, count=40)
        Checkpointer(settings, client, every=100).run(until_caught_up=True)
        second = witness.round()
        assert second.cosigned and second.size > first.size, second.message
        served = _http(f"http://127.0.0.1:{server.port}/checkpoint/witnessed")[1]
        assert open_checkpoint(served, [_verifier(settings)])[0].size == second.size
        # A proof against the witnessed checkpoint carries the witness's cosignature.
        note = proof_checkpoint(settings, client, witnessed=True)
        [located] = asyncio.run(locate(settings, place=("pantau.programs[0]", 0)))
        proof = json.dumps(inclusion(settings, note, located)).encode()
        checked = check_proof_file(proof, _verifier(settings).key, [key.verifier()])
        assert [name for name, _ in checked.cosigned] == ["witness.example/two"]
    finally:
        server.close()

    fork = tmp_path / "fork"
    _forked_log(settings, fork, second.size + 10)
    forked = LogRoutes(fork, client, KeySpace(PREFIX + "-fork"), _verifier(settings).key)
    server = HealthServer(CollectorRegistry(), Heartbeat(60), "127.0.0.1", 0, forked).start()
    try:
        split = Witness(key, _verifier(settings).key, f"http://127.0.0.1:{server.port}", state)
        outcome = split.round()
    finally:
        server.close()
    assert outcome.refused and not outcome.cosigned, outcome.message
    assert "INCONSISTENT" in outcome.message
    held = json.loads(state.read_text())
    assert Checkpoint.parse(parse_note(held[ORIGIN]).text).size == second.size


@pytest.mark.parametrize("tamper", ["removed", "changed", "reordered"])
def test_verify_rebuilds_the_tree_and_catches_an_altered_copy(
    treed: tuple[Settings, redis.Redis], tmp_path: Path, tamper: str
) -> None:
    settings, _ = treed
    copy = tmp_path / "log.jsonl"
    exported = _pantau(settings, "audit", "export", str(copy))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    intact = _pantau(settings, "audit", "verify", "--log", str(copy))
    assert intact.returncode == 0 and "intact" in intact.stdout, intact.stdout + intact.stderr
    assert "leaves rebuilt from the log" in intact.stdout

    lines = copy.read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    complaints = [n for n, e in enumerate(entries) if e["topic"] == "pantau.complaints"]
    first, second = complaints[3], complaints[4]  # neighbours in one partition
    assert entries[first]["partition"] == entries[second]["partition"]
    if tamper == "removed":
        del lines[first]
    elif tamper == "changed":
        event = json.loads(entries[first]["value"])
        event["kelurahan"] = "balongsari" if event["kelurahan"] != "balongsari" else "gedongan"
        lines[first] = json.dumps({**entries[first], "value": json.dumps(event)})
    else:
        one, two = entries[first], entries[second]
        lines[first] = json.dumps({**one, "value": two["value"]})
        lines[second] = json.dumps({**two, "value": one["value"]})
    copy.write_text("\n".join(lines) + "\n")
    caught = _pantau(settings, "audit", "verify", "--log", str(copy))
    assert caught.returncode == 1, caught.stdout + caught.stderr
    assert "tree " in caught.stdout, caught.stdout


# Last: the forged checkpoint stays in the audit topic for the rest of the session.
def test_a_rewritten_checkpoint_is_caught(treed: tuple[Settings, redis.Redis]) -> None:
    settings, _ = treed
    latest = _latest(settings)
    forged = Checkpoint(latest.origin, latest.size, bytes(32))
    # Signed by a key of the same name that is not the log's, as a forger would.
    note = sign_checkpoint(forged, [NoteSigner(generate_key(ORIGIN))]).encode().encode()
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, **kafka_options(settings))
    try:
        producer.send(AUDIT.name, key=CHECKPOINT_KEY, value=note).get(60)
    finally:
        producer.close()
    checked = asyncio.run(audit_tree(settings, [_verifier(settings)]))
    assert any("signed checkpoint" in finding for finding in checked.findings)
