"""Signed notes, checkpoints and cosignatures: the reference example signed byte for
byte, round trips, and every refusal the specs ask for."""

from __future__ import annotations

import base64

import pytest

from pantau.tlog.checkpoint import Checkpoint, CheckpointError, open_checkpoint, sign_checkpoint
from pantau.tlog.cosignature import CosignatureVerifier, Cosigner, cosigned_message
from pantau.tlog.hashing import EMPTY_ROOT, leaf_hash
from pantau.tlog.keys import (
    COSIGNATURE_V1,
    ED25519,
    KeyFormatError,
    SignerKey,
    VerifierKey,
    generate_key,
)
from pantau.tlog.note import DASH, Note, NoteError, Verifier, parse_note, signed, verified
from pantau.tlog.signers import NoteSigner, NoteVerifier, verifier_for

# The signed-note reference implementation's documented example: Ed25519 signatures are
# deterministic, so the same key over the same text must give this very note.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    f"{GO_TEXT}\n{DASH} PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
# The example of C2SP signed-note itself.
SPEC_VERIFIER = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    f"This is an example message.\n\n{DASH} example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
ORIGIN = "mojokerto.example/pantau"


def log_key() -> SignerKey:
    return SignerKey(ORIGIN, ED25519, bytes(range(32)))


def checkpoint(size: int = 8) -> Checkpoint:
    return Checkpoint(ORIGIN, size, leaf_hash(b"root %d" % size))


def test_the_reference_key_signs_the_reference_note_byte_for_byte() -> None:
    signer = SignerKey.parse(GO_SIGNER)
    assert signer.encode() == GO_SIGNER
    assert signer.verifier().encode() == GO_VERIFIER
    assert VerifierKey.parse(GO_VERIFIER) == signer.verifier()
    assert signed(GO_TEXT, [NoteSigner(signer)]).encode() == GO_NOTE
    assert verified(parse_note(GO_NOTE), [NoteVerifier(VerifierKey.parse(GO_VERIFIER))])


def test_the_specs_example_note_verifies() -> None:
    note = parse_note(SPEC_NOTE)
    assert note.text == "This is an example message.\n"
    assert note.encode() == SPEC_NOTE
    assert verified(note, [verifier_for(VerifierKey.parse(SPEC_VERIFIER))])


def test_generated_keys_round_trip_through_their_text_forms() -> None:
    for key_type in (ED25519, COSIGNATURE_V1):
        key = generate_key("witness.example/w1", key_type)
        assert SignerKey.parse(key.encode()) == key
        assert VerifierKey.parse(key.verifier().encode()) == key.verifier()
        assert key.seed.hex() not in repr(key)
    # One key pair, one id per signature type.
    seed = bytes(32)
    assert (
        SignerKey("k", ED25519, seed).verifier().key_id
        != SignerKey("k", COSIGNATURE_V1, seed).verifier().key_id
    )


@pytest.mark.parametrize(
    "text",
    [
        GO_VERIFIER.replace("c74f20a3", "c74f20a4"),  # another key's id
        GO_VERIFIER.replace("+ARpc", "+AhRpc"),  # not base64 of 33 bytes
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x65
        GO_SIGNER,  # a signer key where a verifier key belongs
    ],
)
def test_malformed_verifier_keys_are_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        VerifierKey.parse(text)


def test_malformed_signer_keys_are_refused() -> None:
    with pytest.raises(KeyFormatError):
        SignerKey.parse(GO_VERIFIER)
    with pytest.raises(KeyFormatError):
        SignerKey.parse(GO_SIGNER.replace("c74f20a3", "00000000"))
    with pytest.raises(KeyFormatError):
        generate_key("has+plus")


def test_a_checkpoint_round_trips_and_opens_with_the_log_key() -> None:
    key = log_key()
    note = sign_checkpoint(checkpoint(), [NoteSigner(key)])
    text = note.encode()
    assert text.startswith(f"{ORIGIN}\n8\n{base64.b64encode(checkpoint().root).decode()}\n\n")
    opened, parsed = open_checkpoint(text, [NoteVerifier(key.verifier())])
    assert opened == checkpoint() and parsed == note
    with_extension = Checkpoint(ORIGIN, 0, EMPTY_ROOT, ("extension line",))
    assert Checkpoint.parse(with_extension.text()) == with_extension


def test_a_checkpoint_is_refused_with_a_wrong_key_or_an_altered_body() -> None:
    key = log_key()
    text = sign_checkpoint(checkpoint(), [NoteSigner(key)]).encode()
    stranger = generate_key(ORIGIN)  # same name, another key: ignored, so none verifies
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        open_checkpoint(text, [NoteVerifier(stranger.verifier())])
    for altered in (text.replace("\n8\n", "\n9\n"), text.replace(ORIGIN, ORIGIN + "x", 1)):
        with pytest.raises(NoteError, match="does not verify"):
            open_checkpoint(altered, [NoteVerifier(key.verifier())])
    forged = Note(checkpoint(9).text(), parse_note(text).signatures)  # a new size, old sig
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(forged, [NoteVerifier(key.verifier())])
    with pytest.raises(CheckpointError, match="not of"):
        open_checkpoint(text, [NoteVerifier(key.verifier())], origin="another.example/log")


@pytest.mark.parametrize(
    "body",
    ["origin\n8\n", "origin\n08\nAAAA\n", "origin\n-1\n" + "A" * 43 + "=\n",
     "origin\n8\nAAAA\n", "origin\n8\n" + "A" * 43 + "=", "\n8\n" + "A" * 43 + "=\n",
     "origin\n8\n" + "A" * 43 + "=\n\n"],
)  # fmt: skip
def test_malformed_checkpoint_bodies_are_refused(body: str) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT + f"{DASH} PeterNeumann AAAA\n",  # no blank line
        GO_NOTE[:-1],  # the last line unended
        GO_NOTE + "\n",  # a blank line after the signatures
        GO_NOTE.replace(f"{DASH} ", "- "),
        GO_NOTE.replace("PeterNeumann x08", "Peter+Neumann x08"),
        GO_NOTE.replace("then", "\tthen"),  # a control character
        GO_TEXT + f"\n{DASH} PeterNeumann AAAA\n",  # shorter than a key id and a byte
        GO_TEXT + f"\n{DASH} PeterNeumann not-base64!\n",
    ],
)
def test_malformed_notes_are_refused(message: str) -> None:
    with pytest.raises(NoteError):
        parse_note(message)


def test_a_note_of_bytes_must_be_utf8() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        parse_note(GO_NOTE.encode().replace(b"cryptography", b"\xffcryptography"))
    assert parse_note(GO_NOTE.encode()) == parse_note(GO_NOTE)


def test_a_note_carries_several_signatures_and_unknown_ones_are_ignored() -> None:
    log, other = log_key(), generate_key("other.example/log")
    witness = Cosigner(generate_key("witness.example/w1", COSIGNATURE_V1))
    note = sign_checkpoint(checkpoint(), [NoteSigner(log), NoteSigner(other)])
    note = note.with_signatures([witness.cosign(note.text.encode(), 1_700_000_000)])
    again = parse_note(note.encode())
    assert len(again.signatures) == 3
    assert [s.name for s in verified(again, [NoteVerifier(log.verifier())])] == [ORIGIN]
    both: list[Verifier] = [
        NoteVerifier(log.verifier()),
        CosignatureVerifier(witness.key.verifier()),
    ]
    assert [s.name for s in verified(again, both)] == [ORIGIN, "witness.example/w1"]


def test_a_failing_signature_from_a_known_key_rejects_the_note() -> None:
    log = log_key()
    note = sign_checkpoint(checkpoint(), [NoteSigner(log)])
    bad = note.signatures[0]
    broken = Note(note.text, (bad, type(bad)(bad.name, bad.key_id, bytes(64))))
    with pytest.raises(NoteError, match="does not verify"):
        verified(broken, [NoteVerifier(log.verifier())])


def test_a_cosignature_signs_the_header_time_and_checkpoint() -> None:
    key = generate_key("witness.example/w1", COSIGNATURE_V1)
    cosigner, verifier = Cosigner(key), CosignatureVerifier(key.verifier())
    text = checkpoint().text().encode()
    signature = cosigner.cosign(text, 1_679_315_147)
    assert signature.signature[:8] == (1_679_315_147).to_bytes(8, "big")
    assert cosigned_message(text, 1_679_315_147) == b"cosignature/v1\ntime 1679315147\n" + text
    assert key.verifier().verifies(cosigned_message(text, 1_679_315_147), signature.signature[8:])
    assert verifier.verify(text, signature.signature)
    assert not verifier.verify(checkpoint(9).text().encode(), signature.signature)
    later = (1_679_315_148).to_bytes(8, "big") + signature.signature[8:]
    assert not verifier.verify(text, later)  # the time is signed too
    # A witness key is not a log key: a cosignature never passes for a note signature.
    assert not NoteVerifier(key.verifier()).verify(text, signature.signature)
    with pytest.raises(KeyFormatError):
        Cosigner(log_key())
    with pytest.raises(KeyFormatError):
        NoteSigner(key)
