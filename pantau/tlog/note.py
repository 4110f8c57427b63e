"""Signed notes (C2SP signed-note): a text ending in a newline, a blank line, then one
line per signature, `— <key name> base64(key id || signature)`.

Reading a note follows the spec's rules: signatures from keys the reader does not know
are ignored (witnesses add theirs); a signature from a known key (same name and id) that
fails rejects the whole note; a note with no verified signature is rejected.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pantau.tlog.keys import strict_base64, valid_key_name

DASH = "\u2014"  # em dash
MAX_SIGNATURES = 100  # the spec asks readers to take at least 16
MAX_NOTE_BYTES = 1 << 20


class NoteError(ValueError):
    """The note is malformed, or its signatures do not check out."""


class Signer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, text: bytes) -> bytes: ...


class Verifier(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, text: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str  # with its final newline
    signatures: tuple[NoteSignature, ...]

    def encode(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signatures(self, more: Iterable[NoteSignature]) -> Note:
        """This note with more signatures (a witness's), none repeated."""
        known = set(self.signatures)
        extra = tuple(s for s in more if s not in known)
        return Note(self.text, self.signatures + extra)


def signed(text: str, signers: Sequence[Signer]) -> Note:
    _check_text(text)
    body = text.encode()
    return Note(text, tuple(NoteSignature(s.name, s.key_id, s.sign(body)) for s in signers))


def parse_note(message: str | bytes) -> Note:
    """The note's text and signatures, with no signature checked yet."""
    if isinstance(message, bytes):
        if len(message) > MAX_NOTE_BYTES:
            raise NoteError(f"a note of more than {MAX_NOTE_BYTES} bytes")
        try:
            message = message.decode()
        except UnicodeDecodeError:
            raise NoteError("a note is UTF-8 text") from None
    if any(c < " " and c != "\n" for c in message):
        raise NoteError("a note has no control characters but newlines")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("no blank line between the note's text and its signatures")
    text, lines = message[: split + 1], message[split + 2 :]
    if not lines.endswith("\n"):
        raise NoteError("a note's last signature line ends with a newline")
    signatures = tuple(_signature(line) for line in lines[:-1].split("\n"))
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return Note(text, signatures)


def _signature(line: str) -> NoteSignature:
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != DASH or not valid_key_name(parts[1]):
        raise NoteError(f"{line[:80]!r} is not a signature line ({DASH} <key name> <base64>)")
    try:
        data = strict_base64(parts[2])
    except ValueError as error:
        raise NoteError(f"signature of {parts[1]}: {error}") from None
    if len(data) < 5:
        raise NoteError(f"the signature of {parts[1]} is too short")
    return NoteSignature(parts[1], data[:4], data[4:])


def _check_text(text: str) -> None:
    if not text.endswith("\n") or any(c < " " and c != "\n" for c in text):
        raise NoteError("a note's text ends with a newline and has no other control characters")


def verified(note: Note, verifiers: Sequence[Verifier]) -> list[NoteSignature]:
    """The note's signatures by the given keys, all checked; NoteError if one of them fails
    or none is there."""
    body = note.text.encode()
    known = {(v.name, v.key_id): v for v in verifiers}
    good = []
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        if not verifier.verify(body, signature.signature):
            raise NoteError(f"the signature of {signature.name} does not verify")
        good.append(signature)
    if not good:
        names = ", ".join(sorted({v.name for v in verifiers})) or "(none given)"
        raise NoteError(f"no signature by a trusted key ({names})")
    return good
