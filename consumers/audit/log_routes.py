"""The verifiable log over HTTP, on the checkpointer's endpoint (PANTAU_CHECKPOINTER_PORT):

    GET  /checkpoint        the latest signed checkpoint, with the witnesses'
                            cosignatures gathered for it so far (a signed note)
    GET  /checkpoint/witnessed   the latest one the profile's quorum co-signed (404: none yet)
    GET  /tile/<L>/<N>[.p/<W>]   the tree's tiles (C2SP tlog-tiles), as static files
    POST /add-cosignature   a witness's cosignature: the checkpoint note with its
                            cosignature line added; 200 once kept, 403 when it is not
                            signed by the log or cosigned by a listed witness, 409 when
                            it is not the latest checkpoint

The log keeps publishing whether or not witnesses answer; a cosignature only adds to
what is served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import redis

from pantau.contract.city import Witnessing
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.health import Answer
from pantau.tlog.checkpoint import CheckpointError, open_checkpoint
from pantau.tlog.cosignature import CosignatureVerifier
from pantau.tlog.keys import SignerKey, VerifierKey
from pantau.tlog.note import Note, NoteError, NoteSignature, parse_note, verified
from pantau.tlog.signers import NoteVerifier
from pantau.tlog.store import CHECKPOINT_FILE, tiles_folder
from pantau.tlog.tiles import Tile

NOTE_TYPE = "text/plain; charset=utf-8"
_NOT_FOUND: Answer = (404, "text/plain", b"not found\n")


class LogRoutes:
    def __init__(
        self,
        folder: Path,
        client: redis.Redis,
        keys: KeySpace,
        log_key: VerifierKey,
        witnesses: Sequence[VerifierKey] = (),
        quorum: int = 0,
        on_cosigned: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.folder = folder
        self.redis = client
        self.keys = keys
        self.log = [NoteVerifier(log_key)]
        self.witnesses = [CosignatureVerifier(key) for key in witnesses]
        self.quorum = quorum
        self.on_cosigned = on_cosigned  # the names of the witnesses whose cosignature was kept

    def get(self, path: str) -> Answer | None:
        if path == "/checkpoint":
            note = self.latest()
            return _NOT_FOUND if note is None else (200, NOTE_TYPE, note.encode().encode())
        if path == "/checkpoint/witnessed":
            witnessed = self.redis.get(self.keys.audit_witnessed)
            return _NOT_FOUND if witnessed is None else (200, NOTE_TYPE, _bytes(witnessed))
        if path.startswith("/tile/"):
            return self._tile(path[1:])
        return None

    def post(self, path: str, body: bytes) -> Answer | None:
        if path != "/add-cosignature":
            return None
        try:
            note = parse_note(body)
            open_checkpoint(note, self.log)
            cosignatures = self._cosignatures(note)
        except (NoteError, CheckpointError) as error:
            return 403, "text/plain", f"{error}\n".encode()
        latest = self.latest()
        if latest is None or latest.text != note.text:
            return 409, "text/plain", b"not the latest checkpoint: fetch /checkpoint again\n"
        self._keep(latest.with_signatures(cosignatures))
        if self.on_cosigned is not None:
            self.on_cosigned([s.name for s in cosignatures])
        return 200, "text/plain", b"kept\n"

    def latest(self) -> Note | None:
        """The checkpoint file's note, with the cosignatures kept for the same text."""
        try:
            note = parse_note((self.folder / CHECKPOINT_FILE).read_bytes())
        except FileNotFoundError:
            return None
        kept = self.redis.get(self.keys.audit_cosigned)
        if kept is not None:
            cosigned = parse_note(kept)
            if cosigned.text == note.text:
                return cosigned
        return note

    def _cosignatures(self, note: Note) -> list[NoteSignature]:
        found = []
        for witness in self.witnesses:
            try:
                found += verified(note, [witness])
            except NoteError as error:
                if any(s.name == witness.name for s in note.signatures):
                    raise error
        if not found:
            raise NoteError("no cosignature by a witness this log lists")
        return found

    def _keep(self, note: Note) -> None:
        """Kept with the ones before (two witnesses may answer at once), and as the
        witnessed checkpoint once a quorum co-signed."""

        def merge(pipe: redis.client.Pipeline) -> None:
            kept = pipe.get(self.keys.audit_cosigned)
            merged = note
            if kept is not None:
                before = parse_note(kept)
                if before.text == note.text:
                    merged = before.with_signatures(note.signatures)
            pipe.multi()
            pipe.set(self.keys.audit_cosigned, merged.encode())
            if self.quorum and self._count(merged) >= self.quorum:
                pipe.set(self.keys.audit_witnessed, merged.encode())

        self.redis.transaction(merge, self.keys.audit_cosigned)

    def _count(self, note: Note) -> int:
        named = {(s.name, s.key_id) for s in note.signatures}
        return sum((w.name, w.key_id) in named for w in self.witnesses)

    def _tile(self, path: str) -> Answer:
        try:
            tile = Tile.parse(path)
        except ValueError:
            return _NOT_FOUND
        try:
            return 200, "application/octet-stream", (self.folder / tile.path).read_bytes()
        except FileNotFoundError:
            return _NOT_FOUND


def log_routes(
    settings: Settings,
    client: redis.Redis,
    witnessing: Witnessing,
    on_cosigned: Callable[[list[str]], None] | None = None,
) -> LogRoutes | None:
    """The routes the settings ask for: none while no key signs the log."""
    if settings.tlog_signing_key is None:
        return None
    log_key = SignerKey.parse(settings.tlog_signing_key.get_secret_value()).verifier()
    witnesses = [VerifierKey.parse(text) for text in witnessing.witnesses]
    folder = tiles_folder(settings.state_dir)
    keys = KeySpace(settings.redis_prefix)
    return LogRoutes(folder, client, keys, log_key, witnesses, witnessing.quorum, on_cosigned)


def _bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value
