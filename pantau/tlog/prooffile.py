"""Proof files: a signed checkpoint and the hashes that tie a leaf (or an older
checkpoint) to it, as JSON anyone can check offline with the log's public key
(`pantau audit check-proof`).

    {"proof": "inclusion", "checkpoint": "<signed note>", "index": 5,
     "hashes": ["<base64>", ...], and the leaf as one of:
       "leaf_hash": "<base64>"                      the hash itself
       "entry": "<the leaf's entry, JSON text>"     the canonical, blinded record
       "event": {...}, "salt": "<base64>"           a citizen's own event, text in the clear}

    {"proof": "consistency", "old_checkpoint": "<signed note>",
     "checkpoint": "<signed note>", "hashes": ["<base64>", ...]}

Both checkpoints of a consistency proof must be signed by the log. Witnesses' keys, when
given, must each have cosigned the (newest) checkpoint.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson

from pantau.tlog.checkpoint import Checkpoint, open_checkpoint
from pantau.tlog.cosignature import CosignatureVerifier, timestamp_of
from pantau.tlog.hashing import leaf_hash
from pantau.tlog.keys import (
    COSIGNATURE_V1,
    ED25519,
    KEY_TYPES,
    KeyFormatError,
    VerifierKey,
    strict_base64,
)
from pantau.tlog.leaf import own_leaf
from pantau.tlog.note import Note, NoteError, verified
from pantau.tlog.signers import NoteVerifier
from pantau.tlog.verify import verify_consistency, verify_inclusion


class ProofFileError(ValueError):
    """The file is not a proof file; the message names the field."""


class InclusionProof(
    msgspec.Struct, tag_field="proof", tag="inclusion", forbid_unknown_fields=True
):
    checkpoint: str
    index: int
    hashes: list[str]
    leaf_hash: str | None = None
    entry: str | None = None
    event: dict[str, Any] | None = None
    salt: str | None = None


class ConsistencyProof(
    msgspec.Struct, tag_field="proof", tag="consistency", forbid_unknown_fields=True
):
    old_checkpoint: str
    checkpoint: str
    hashes: list[str]


ProofFile = InclusionProof | ConsistencyProof


@dataclass(frozen=True)
class Checked:
    """What a proof file showed, once everything in it verified."""

    checkpoint: Checkpoint
    statement: str  # "leaf 5 is in ..." / "size 8 is a prefix of ..."
    cosigned: list[tuple[str, int]]  # (witness, POSIX time)


def read_proof_file(data: bytes) -> ProofFile:
    try:
        return msgspec.json.decode(data, type=ProofFile)
    except msgspec.ValidationError as error:
        raise ProofFileError(str(error)) from None
    except msgspec.DecodeError as error:
        raise ProofFileError(f"not JSON: {error}") from None


def check_proof_file(
    data: bytes, log_key: VerifierKey, witnesses: Sequence[VerifierKey] = ()
) -> Checked:
    """Raises KeyFormatError (a key of the wrong kind), ProofFileError (unreadable),
    NoteError or CheckpointError (not signed as it should be), ProofError (the hashes do
    not prove the claim)."""
    _expect(log_key, ED25519, "the log's key")
    for key in witnesses:
        _expect(key, COSIGNATURE_V1, "a witness's key")
    proof = read_proof_file(data)
    hashes = [_hash(h, f"hashes[{i}]") for i, h in enumerate(proof.hashes)]
    log = [NoteVerifier(log_key)]
    checkpoint, note = open_checkpoint(proof.checkpoint, log)
    if isinstance(proof, InclusionProof):
        leaf = _leaf(proof)
        verify_inclusion(proof.index, checkpoint.size, leaf, hashes, checkpoint.root)
        statement = f"leaf {proof.index} is in the tree of {checkpoint.size} leaves"
    else:
        old, _ = open_checkpoint(proof.old_checkpoint, log)
        verify_consistency(old.size, checkpoint.size, old.root, checkpoint.root, hashes)
        statement = f"the tree of {checkpoint.size} leaves extends the one of {old.size}"
    return Checked(checkpoint, statement, _cosignatures(note, witnesses))


def _expect(key: VerifierKey, key_type: int, role: str) -> None:
    if key.key_type != key_type:
        raise KeyFormatError(f"{key.name}'s key is for {KEY_TYPES[key.key_type]}, not {role}")


def _cosignatures(note: Note, witnesses: Sequence[VerifierKey]) -> list[tuple[str, int]]:
    found = []
    for key in witnesses:
        try:
            signature = verified(note, [CosignatureVerifier(key)])[0]
        except NoteError:
            raise NoteError(f"no valid cosignature by the witness {key.name}") from None
        found.append((key.name, timestamp_of(signature.signature)))
    return found


def _hash(text: str, field: str) -> bytes:
    try:
        value = strict_base64(text)
    except ValueError as error:
        raise ProofFileError(f"{field}: {error}") from None
    if len(value) != 32:
        raise ProofFileError(f"{field}: a hash has 32 bytes, not {len(value)}")
    return value


def _leaf(proof: InclusionProof) -> bytes:
    given = [f for f in ("leaf_hash", "entry", "event") if getattr(proof, f) is not None]
    if len(given) != 1:
        raise ProofFileError("an inclusion proof gives the leaf once: leaf_hash, entry or event")
    if proof.leaf_hash is not None:
        return _hash(proof.leaf_hash, "leaf_hash")
    if proof.entry is not None:
        return leaf_hash(proof.entry.encode())
    event = orjson.dumps(proof.event)
    if proof.salt is None:
        if proof.event and isinstance(proof.event.get("description"), str):
            raise ProofFileError("salt: the event has a description, its salt is needed")
        return own_leaf(event, b"")
    return own_leaf(event, _salt(proof.salt))


def _salt(text: str) -> bytes:
    try:
        return strict_base64(text)
    except ValueError as error:
        raise ProofFileError(f"salt: {error}") from None


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def inclusion_file(note: str, index: int, hashes: Sequence[bytes], **leaf: Any) -> dict[str, Any]:
    """A proof file's content; `leaf` is one of leaf_hash=bytes, entry=str, or
    event=dict with salt=bytes."""
    content: dict[str, Any] = {"proof": "inclusion", "checkpoint": note, "index": index,
                               "hashes": [_b64(h) for h in hashes]}  # fmt: skip
    for field, value in leaf.items():
        content[field] = _b64(value) if isinstance(value, bytes) else value
    return content


def consistency_file(old_note: str, note: str, hashes: Sequence[bytes]) -> dict[str, Any]:
    return {"proof": "consistency", "old_checkpoint": old_note, "checkpoint": note,
            "hashes": [_b64(h) for h in hashes]}  # fmt: skip
