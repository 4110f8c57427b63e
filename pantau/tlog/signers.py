"""The log's own note signatures (type 0x01: Ed25519 over the note's text), and the
verifier for any key the log's readers may be given."""

from __future__ import annotations

from dataclasses import dataclass

from pantau.tlog.cosignature import CosignatureVerifier
from pantau.tlog.keys import (
    COSIGNATURE_V1,
    ED25519,
    SIGNATURE_SIZE,
    KeyFormatError,
    SignerKey,
    VerifierKey,
)
from pantau.tlog.note import Verifier


@dataclass(frozen=True, repr=False)
class NoteSigner:
    key: SignerKey

    def __post_init__(self) -> None:
        if self.key.key_type != ED25519:
            raise KeyFormatError(f"{self.key.name} is not a note signing key (type 0x01)")

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> bytes:
        return self.key.verifier().key_id

    def sign(self, text: bytes) -> bytes:
        return self.key.sign(text)


@dataclass(frozen=True)
class NoteVerifier:
    key: VerifierKey

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> bytes:
        return self.key.key_id

    def verify(self, text: bytes, signature: bytes) -> bool:
        return len(signature) == SIGNATURE_SIZE and self.key.verifies(text, signature)


def verifier_for(key: VerifierKey) -> Verifier:
    """A log's key checks note signatures; a witness's checks cosignatures."""
    if key.key_type == COSIGNATURE_V1:
        return CosignatureVerifier(key)
    return NoteVerifier(key)
