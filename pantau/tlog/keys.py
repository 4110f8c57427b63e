"""Ed25519 keys in the signed-note text forms (C2SP signed-note).

A verifier key is `<name>+<key id, hex>+<base64(type byte || public key)>`; a signer key
`PRIVATE+KEY+<name>+<key id, hex>+<base64(type byte || 32-byte seed)>`, the form the
reference implementation of notes reads. The key id is the first 4 bytes of
SHA-256(name || "\\n" || type byte || public key), so one key pair has one id per
signature type: 0x01 for the log's plain note signatures, 0x04 for a witness's
timestamped cosignatures (C2SP tlog-cosignature).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
KEY_TYPES = {ED25519: "Ed25519 note signatures", COSIGNATURE_V1: "Ed25519 cosignatures"}
KEY_SIZE = 32
SIGNATURE_SIZE = 64
_PRIVATE = "PRIVATE+KEY+"


class KeyFormatError(ValueError):
    """A key's text is not a well-formed key of a supported type."""


def valid_key_name(name: str) -> bool:
    """Non-empty, no Unicode space, no plus (it separates a key's parts)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def strict_base64(text: str) -> bytes:
    """Standard base64 with padding, and nothing a decoder would quietly skip."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{text!r} is not base64") from None
    if base64.b64encode(data).decode() != text:
        raise ValueError(f"{text!r} is not base64 as it is normally written")
    return data


def _typed_key(text: str) -> tuple[int, bytes]:
    try:
        data = strict_base64(text)
    except ValueError as error:
        raise KeyFormatError(str(error)) from None
    if len(data) != 1 + KEY_SIZE or data[0] not in KEY_TYPES:
        raise KeyFormatError(f"a key is a type byte (one of {sorted(KEY_TYPES)}) and 32 bytes")
    return data[0], data[1:]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_type: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.key_type, self.public)

    def encode(self) -> str:
        material = base64.b64encode(bytes([self.key_type]) + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        parts = text.strip().split("+", 2)
        if len(parts) != 3 or not valid_key_name(parts[0]):
            raise KeyFormatError("a verifier key reads <name>+<key id>+<base64 key>")
        name, id_hex, material = parts
        key = cls(name, *_typed_key(material))
        if key.key_id.hex() != id_hex:
            raise KeyFormatError(f"the key id {id_hex} is not this key's ({key.key_id.hex()})")
        return key

    def verifies(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, repr=False)
class SignerKey:
    name: str
    key_type: int
    seed: bytes

    def __repr__(self) -> str:  # a key never lands in a log line or a traceback
        return f"SignerKey({self.name!r}, type {self.key_type})"

    @property
    def public(self) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()

    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.key_type, self.public)

    def encode(self) -> str:
        material = base64.b64encode(bytes([self.key_type]) + self.seed).decode()
        return f"{_PRIVATE}{self.name}+{self.verifier().key_id.hex()}+{material}"

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        text = text.strip()
        parts = text.removeprefix(_PRIVATE).split("+", 2)
        if not text.startswith(_PRIVATE) or len(parts) != 3 or not valid_key_name(parts[0]):
            raise KeyFormatError("a signer key reads PRIVATE+KEY+<name>+<key id>+<base64 key>")
        name, id_hex, material = parts
        key = cls(name, *_typed_key(material))
        if key.verifier().key_id.hex() != id_hex:
            raise KeyFormatError(f"the key id {id_hex} is not this key's")
        return key

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def generate_key(name: str, key_type: int = ED25519) -> SignerKey:
    if not valid_key_name(name):
        raise KeyFormatError(f"{name!r} cannot name a key: no spaces and no '+'")
    if key_type not in KEY_TYPES:
        raise KeyFormatError(f"no key type {key_type}")
    return SignerKey(name, key_type, os.urandom(KEY_SIZE))
