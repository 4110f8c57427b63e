"""`pantau audit witness`: an outside party's witness of the log, with its own key.

It fetches the log's latest checkpoint, computes the consistency proof from the last one
it cosigned with the log's own tiles (fetched over HTTP, so it needs nothing the log
does not publish), decides by pantau/tlog/witness.py, and only then co-signs and posts
the cosignature back to the log's /add-cosignature. Its memory is a small JSON file, the
last cosigned note per log origin, replaced whole (rename) after each cosignature. A log
that shows it another history than the one it cosigned (a split view) is refused, and
the witness says so and exits 1: that is the finding to raise with the city.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pantau.tlog.checkpoint import Checkpoint
from pantau.tlog.cosignature import Cosigner
from pantau.tlog.keys import SignerKey, VerifierKey
from pantau.tlog.note import parse_note
from pantau.tlog.proofs import consistency_proof
from pantau.tlog.reader import TileReader
from pantau.tlog.signers import NoteVerifier
from pantau.tlog.store import MissingTileError
from pantau.tlog.witness import Cosigned, Refused, Submission, decide

TIMEOUT = 30.0


class WitnessError(RuntimeError):
    """The log could not be read or answered badly; nothing was cosigned."""


class HttpTiles:
    """The log's tiles as a read-only store, from its URL."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def read(self, path: str) -> bytes:
        try:
            return _fetch(f"{self.base}/{path}")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise MissingTileError(path) from None
            raise

    def write(self, path: str, data: bytes) -> None:
        raise PermissionError("a witness never writes the log's tiles")


@dataclass(frozen=True)
class Outcome:
    cosigned: bool
    size: int
    message: str
    refused: bool = False  # a split view, a rollback, a bad signature: a finding


class Witness:
    def __init__(self, key: SignerKey, log_key: VerifierKey, log_url: str, state: Path) -> None:
        self.cosigner = Cosigner(key)
        self.log_key = log_key
        self.url = log_url.rstrip("/")
        self.state = state

    def held(self) -> dict[str, str]:
        """The last note cosigned, per log origin."""
        if not self.state.exists():
            return {}
        loaded: dict[str, str] = json.loads(self.state.read_text())
        return loaded

    def round(self) -> Outcome:
        """Fetch, check, co-sign, post back: one checkpoint's worth."""
        try:
            note = _fetch(f"{self.url}/checkpoint")
        except urllib.error.HTTPError as error:
            raise WitnessError(f"{self.url}/checkpoint answered {error.code}") from None
        origin = self.log_key.name
        held_notes = self.held()
        held = held_notes.get(origin)
        last = {origin: Checkpoint.parse(parse_note(held).text)} if held else {}
        new = Checkpoint.parse(parse_note(note).text)
        old_size = last[origin].size if last else 0
        try:
            reader = TileReader(HttpTiles(self.url), new.size)
            proof = consistency_proof(reader, old_size, new.size) if old_size <= new.size else []
        except (MissingTileError, ValueError) as error:
            raise WitnessError(f"the log's tiles for size {new.size}: {error}") from None
        decided = decide(
            Submission(old_size, proof, note),
            {origin: [NoteVerifier(self.log_key)]},
            last,
            self.cosigner,
            int(time.time()),
        )
        if isinstance(decided, Refused):
            message = f"refused ({decided.refusal.name}): {decided.reason}"
            return Outcome(False, new.size, message, refused=True)
        assert isinstance(decided, Cosigned)
        if last and new.size == old_size:
            return Outcome(False, new.size, f"already cosigned size {new.size}")
        _post(f"{self.url}/add-cosignature", decided.note.encode().encode())
        self._keep({**held_notes, origin: decided.note.encode()})
        return Outcome(True, new.size, f"cosigned size {new.size}")

    def _keep(self, notes: dict[str, str]) -> None:
        self.state.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.state.parent, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "w") as file:
            json.dump(notes, file, indent=1)
        Path(temporary).replace(self.state)


def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
            body: bytes = answer.read()
            return body
    except urllib.error.HTTPError:
        raise
    except OSError as error:
        raise WitnessError(f"{url}: {error}") from None


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT):
            return
    except urllib.error.HTTPError as error:
        refusal = error.read()[:200].decode(errors="replace").strip()
        raise WitnessError(f"{url} refused the cosignature ({error.code}): {refusal}") from None
    except OSError as error:
        raise WitnessError(f"{url}: {error}") from None
