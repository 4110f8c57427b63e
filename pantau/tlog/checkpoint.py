"""Checkpoints (C2SP tlog-checkpoint): the signed statement of the tree's head.

    <origin>
    <tree size>
    <base64 root hash>

as a signed note by the log's key, whose name is the origin. A reader trusts a
checkpoint's numbers only after the log's signature over exactly this text verified.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pantau.tlog.hashing import HASH_SIZE
from pantau.tlog.keys import strict_base64
from pantau.tlog.note import Note, Signer, Verifier, parse_note, signed, verified

_SIZE = re.compile(r"0|[1-9][0-9]*")


class CheckpointError(ValueError):
    """The note's text is not a checkpoint, or not the expected log's."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise CheckpointError("a checkpoint is at least three non-empty lines, each ended")
        origin, size, root, *extensions = lines[:-1]
        if _SIZE.fullmatch(size) is None:
            raise CheckpointError(f"{size[:40]!r} is not a tree size")
        try:
            root_hash = strict_base64(root)
        except ValueError as error:
            raise CheckpointError(f"root hash: {error}") from None
        if len(root_hash) != HASH_SIZE:
            raise CheckpointError(f"a root hash has {HASH_SIZE} bytes, not {len(root_hash)}")
        return cls(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> Note:
    return signed(checkpoint.text(), signers)


def open_checkpoint(
    message: str | bytes | Note, verifiers: Sequence[Verifier], origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """The checkpoint of a signed note, once the log's signature verified; the origin must
    be `origin` (by default, the name of the first key given: a log signs as its origin).
    NoteError or CheckpointError otherwise."""
    note = message if isinstance(message, Note) else parse_note(message)
    verified(note, verifiers)
    checkpoint = Checkpoint.parse(note.text)
    expected = origin if origin is not None else (verifiers[0].name if verifiers else None)
    if checkpoint.origin != expected:
        raise CheckpointError(f"the checkpoint is of {checkpoint.origin!r}, not of {expected!r}")
    return checkpoint, note
