"""A witness cosigns only what the log signed and what extends what it cosigned before;
a split view (another root at a size it holds, or a smaller tree) is refused."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.tlog.checkpoint import Checkpoint, sign_checkpoint
from pantau.tlog.cosignature import CosignatureVerifier, Cosigner, timestamp_of
from pantau.tlog.hashing import EMPTY_ROOT, leaf_hash
from pantau.tlog.keys import COSIGNATURE_V1, ED25519, SignerKey, generate_key
from pantau.tlog.note import Verifier, verified
from pantau.tlog.proofs import consistency_proof
from pantau.tlog.reader import TileReader
from pantau.tlog.signers import NoteSigner, NoteVerifier
from pantau.tlog.store import MemoryStore
from pantau.tlog.witness import Cosigned, Refusal, Refused, Submission, decide
from pantau.tlog.writer import TreeWriter

ORIGIN = "mojokerto.example/pantau"
NOW = 1_780_000_000
LOG_KEY = SignerKey(ORIGIN, ED25519, bytes(32))
WITNESS = Cosigner(SignerKey("witness.example/w1", COSIGNATURE_V1, bytes(range(32))))
LOGS: dict[str, Sequence[Verifier]] = {ORIGIN: [NoteVerifier(LOG_KEY.verifier())]}


class Log:
    """A log grown leaf by leaf, its tiles kept at every size."""

    def __init__(self, tag: bytes = b"") -> None:
        self.store = MemoryStore()
        self.writer = TreeWriter(self.store)
        self.tag = tag

    def grow(self, size: int) -> Checkpoint:
        while self.writer.size < size:
            self.writer.append(leaf_hash(self.tag + b"event %d" % self.writer.size))
        self.writer.write_partials()
        return Checkpoint(ORIGIN, size, self.writer.root())

    def submission(self, old: int, new: Checkpoint, key: SignerKey = LOG_KEY) -> Submission:
        proof = consistency_proof(TileReader(self.store, new.size), old, new.size)
        return Submission(old, proof, sign_checkpoint(new, [NoteSigner(key)]).encode())


def test_the_first_checkpoint_is_cosigned_from_size_zero() -> None:
    log = Log()
    decision = decide(log.submission(0, log.grow(10)), LOGS, {}, WITNESS, NOW)
    assert isinstance(decision, Cosigned)
    assert decision.checkpoint == Checkpoint(ORIGIN, 10, log.writer.root())
    assert timestamp_of(decision.cosignature.signature) == NOW
    # The cosigned note carries both signatures, each verifiable by its own key.
    witness_key = CosignatureVerifier(WITNESS.key.verifier())
    assert len(verified(decision.note, [witness_key])) == 1
    assert len(verified(decision.note, LOGS[ORIGIN])) == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=5))
def test_a_growing_log_is_cosigned_at_every_step(steps: list[int]) -> None:
    log, held = Log(), dict[str, Checkpoint]()
    size = 0
    for step in steps:
        new = log.grow(size + step)
        decision = decide(log.submission(size, new), LOGS, held, WITNESS, NOW)
        assert isinstance(decision, Cosigned), decision
        held = {ORIGIN: decision.checkpoint}
        size = new.size


def test_the_same_checkpoint_again_is_cosigned_again() -> None:
    log = Log()
    first = log.grow(7)
    held = {ORIGIN: first}
    assert isinstance(decide(log.submission(7, first), LOGS, held, WITNESS, NOW + 60), Cosigned)


def test_another_root_at_a_size_it_holds_is_a_split_view() -> None:
    honest, forked = Log(), Log(b"forked ")
    held = {ORIGIN: honest.grow(20)}
    decision = decide(forked.submission(20, forked.grow(20)), LOGS, held, WITNESS, NOW)
    assert isinstance(decision, Refused)
    assert decision.refusal is Refusal.INCONSISTENT and "split view" in decision.reason


def test_a_history_that_does_not_extend_the_held_one_is_refused() -> None:
    honest, forked = Log(), Log(b"forked ")
    held = {ORIGIN: honest.grow(20)}
    forked.grow(20)
    decision = decide(forked.submission(20, forked.grow(30)), LOGS, held, WITNESS, NOW)
    assert isinstance(decision, Refused) and decision.refusal is Refusal.INCONSISTENT


def test_a_smaller_tree_is_refused_however_the_log_asks() -> None:
    log = Log()
    small = log.grow(10)
    held = {ORIGIN: log.grow(20)}
    for old in (20, 10, 0):  # honest about what the witness holds, or not
        decision = decide(log.submission(min(old, 10), small), LOGS, held, WITNESS, NOW)
        assert isinstance(decision, Refused)
        assert "rollback" in decision.reason and decision.last_size == 20
        assert decision.refusal in (Refusal.MALFORMED, Refusal.CONFLICT)


def test_an_old_size_other_than_the_held_one_is_a_conflict() -> None:
    log = Log()
    log.grow(10)
    held = {ORIGIN: log.grow(15)}
    decision = decide(log.submission(10, log.grow(30)), LOGS, held, WITNESS, NOW)
    assert isinstance(decision, Refused)
    assert decision.refusal is Refusal.CONFLICT and decision.last_size == 15


def test_a_checkpoint_not_signed_by_the_log_is_forbidden() -> None:
    log = Log()
    impostor = generate_key(ORIGIN)
    decision = decide(log.submission(0, log.grow(5), impostor), LOGS, {}, WITNESS, NOW)
    assert isinstance(decision, Refused) and decision.refusal is Refusal.FORBIDDEN


def test_an_unknown_log_and_a_malformed_note_are_refused() -> None:
    log = Log()
    checkpoint = log.grow(5)
    other = Checkpoint("other.example/log", 5, checkpoint.root)
    note = sign_checkpoint(other, [NoteSigner(generate_key(other.origin))]).encode()
    decision = decide(Submission(0, [], note), LOGS, {}, WITNESS, NOW)
    assert isinstance(decision, Refused) and decision.refusal is Refusal.UNKNOWN_LOG
    decision = decide(Submission(0, [], "not a note"), LOGS, {}, WITNESS, NOW)
    assert isinstance(decision, Refused) and decision.refusal is Refusal.MALFORMED


def test_a_bad_or_superfluous_proof_is_inconsistent() -> None:
    log = Log()
    held = {ORIGIN: log.grow(10)}
    good = log.submission(10, log.grow(25))
    damaged = Submission(10, [leaf_hash(b"x"), *good.proof[1:]], good.note)
    for submission, store in ((damaged, held), (Submission(0, good.proof, good.note), {})):
        decision = decide(submission, LOGS, store, WITNESS, NOW)
        assert isinstance(decision, Refused) and decision.refusal is Refusal.INCONSISTENT


def test_an_empty_tree_must_have_the_empty_root() -> None:
    empty = sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), [NoteSigner(LOG_KEY)]).encode()
    assert isinstance(decide(Submission(0, [], empty), LOGS, {}, WITNESS, NOW), Cosigned)
    wrong = Checkpoint(ORIGIN, 0, leaf_hash(b"x"))
    note = sign_checkpoint(wrong, [NoteSigner(LOG_KEY)]).encode()
    decision = decide(Submission(0, [], note), LOGS, {}, WITNESS, NOW)
    assert isinstance(decision, Refused) and decision.refusal is Refusal.INCONSISTENT


def test_the_decision_is_pure() -> None:
    log = Log()
    submission = log.submission(0, log.grow(12))
    assert decide(submission, LOGS, {}, WITNESS, NOW) == decide(submission, LOGS, {}, WITNESS, NOW)
    with pytest.raises(ValueError, match="time"):
        WITNESS.cosign(b"x\n", 0)
