"""A witness's decision on a log's new checkpoint, as a pure function (C2SP tlog-witness,
add-checkpoint): the caller supplies the witness's memory and clock and keeps the result.

It cosigns only a checkpoint that the log signed and that extends the last one the
witness cosigned for that log, proven by a consistency proof from that size. Anything
else is refused with the protocol's status: a split view (the same size with another
root, or a tree smaller than one already cosigned) is never cosigned, so two readers
who each hold a cosigned checkpoint know they saw one history.

The caller must compare-and-set its memory: store the new checkpoint only if the last
one is still the one it decided on, or a slower request could roll the witness back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from pantau.tlog.checkpoint import Checkpoint, CheckpointError
from pantau.tlog.cosignature import Cosigner
from pantau.tlog.hashing import EMPTY_ROOT
from pantau.tlog.note import Note, NoteError, NoteSignature, Verifier, parse_note, verified
from pantau.tlog.verify import ProofError, verify_consistency


class Refusal(IntEnum):
    """Why, as the HTTP status the witness protocol answers with."""

    MALFORMED = 400  # not a checkpoint, or an old size above the new one
    FORBIDDEN = 403  # no valid signature by the log's key
    UNKNOWN_LOG = 404
    CONFLICT = 409  # the log's idea of the witness's last size is not the witness's
    INCONSISTENT = 422  # the proof fails, or the same size with another root


@dataclass(frozen=True)
class Refused:
    refusal: Refusal
    reason: str
    last_size: int | None = None  # on a conflict: the size the witness holds


@dataclass(frozen=True)
class Cosigned:
    checkpoint: Checkpoint  # the witness's new memory for this log
    note: Note
    cosignature: NoteSignature


@dataclass(frozen=True)
class Submission:
    """What a log sends: the size it believes the witness holds, a consistency proof from
    there and the new checkpoint note."""

    old_size: int
    proof: Sequence[bytes]
    note: str | bytes


def decide(
    submission: Submission,
    logs: Mapping[str, Sequence[Verifier]],
    last: Mapping[str, Checkpoint],
    cosigner: Cosigner,
    now: int,
) -> Cosigned | Refused:
    """`logs`: each known origin's keys; `last`: the last checkpoint cosigned per origin;
    `now`: POSIX seconds for the cosignature."""
    try:
        note = parse_note(submission.note)
        checkpoint = Checkpoint.parse(note.text)
    except (NoteError, CheckpointError) as error:
        return Refused(Refusal.MALFORMED, str(error))
    keys = logs.get(checkpoint.origin)
    if keys is None:
        return Refused(Refusal.UNKNOWN_LOG, f"no log {checkpoint.origin!r} is watched here")
    try:
        verified(note, keys)
    except NoteError as error:
        return Refused(Refusal.FORBIDDEN, str(error))
    held = last.get(checkpoint.origin)
    refused = _extends(submission, checkpoint, held)
    if refused is not None:
        return refused
    cosignature = cosigner.cosign(note.text.encode(), now)
    return Cosigned(checkpoint, note.with_signatures([cosignature]), cosignature)


def _extends(
    submission: Submission, checkpoint: Checkpoint, held: Checkpoint | None
) -> Refused | None:
    old_size, size = submission.old_size, checkpoint.size
    held_size = held.size if held is not None else 0
    status = Refusal.MALFORMED if old_size > size else Refusal.CONFLICT
    if size < held_size:
        reason = f"size {size} is below {held_size}, already cosigned: a rollback or a split view"
        return Refused(status, reason, held_size)
    if old_size > size:
        return Refused(status, f"old size {old_size} is above the new size {size}")
    if old_size != held_size:
        reason = f"the last checkpoint cosigned here has size {held_size}, not {old_size}"
        return Refused(status, reason, held_size)
    if size == 0 and checkpoint.root != EMPTY_ROOT:
        return Refused(Refusal.INCONSISTENT, "an empty tree with another root than the empty one")
    held_root = held.root if held is not None else EMPTY_ROOT
    if held is not None and size == held_size and checkpoint.root != held_root:
        return Refused(Refusal.INCONSISTENT, f"a second root for size {size}: a split view")
    try:
        verify_consistency(old_size, size, held_root, checkpoint.root, list(submission.proof))
    except ProofError as error:
        return Refused(Refusal.INCONSISTENT, f"not an extension of size {old_size}: {error}")
    return None
