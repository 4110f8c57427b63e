"""Witnesses' cosignatures (C2SP tlog-cosignature, cosignature/v1 with Ed25519).

A cosignature states that, at its time, the checkpoint is the largest consistent tree
head the witness has seen for that origin. It signs two header lines and the checkpoint's
whole text:

    cosignature/v1
    time <POSIX seconds>
    <checkpoint text>

and the signature is the time (8 bytes, big-endian) followed by the 64-byte Ed25519
signature. Its key id uses type 0x04, so a witness key can never pass for a log key.
"""

from __future__ import annotations

from dataclasses import dataclass

from pantau.tlog.keys import (
    COSIGNATURE_V1,
    SIGNATURE_SIZE,
    KeyFormatError,
    SignerKey,
    VerifierKey,
)
from pantau.tlog.note import NoteSignature

MAX_TIMESTAMP = 2**63 - 1


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + text


def timestamp_of(signature: bytes) -> int:
    return int.from_bytes(signature[:8], "big")


@dataclass(frozen=True, repr=False)
class Cosigner:
    key: SignerKey

    def __post_init__(self) -> None:
        if self.key.key_type != COSIGNATURE_V1:
            raise KeyFormatError(f"{self.key.name} is not a cosigning key (type 0x04)")

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> bytes:
        return self.key.verifier().key_id

    def cosign(self, text: bytes, timestamp: int) -> NoteSignature:
        if not 0 < timestamp <= MAX_TIMESTAMP:
            raise ValueError(f"a cosignature's time is 1 to 2**63 - 1 s, not {timestamp}")
        signature = self.key.sign(cosigned_message(text, timestamp))
        return NoteSignature(self.name, self.key_id, timestamp.to_bytes(8, "big") + signature)


@dataclass(frozen=True)
class CosignatureVerifier:
    key: VerifierKey

    def __post_init__(self) -> None:
        if self.key.key_type != COSIGNATURE_V1:
            raise KeyFormatError(f"{self.key.name} is not a cosigner's key (type 0x04)")

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> bytes:
        return self.key.key_id

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + SIGNATURE_SIZE:
            return False
        timestamp = timestamp_of(signature)
        if timestamp > MAX_TIMESTAMP:
            return False
        return self.key.verifies(cosigned_message(text, timestamp), signature[8:])
