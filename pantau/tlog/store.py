"""Where tiles and checkpoints live: a folder served as static files as it is (its paths
are the URLs' paths), or memory for tests and benchmarks."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class MissingTileError(LookupError):
    """A file the tree needs is not in the store."""


class TileStore(Protocol):
    def read(self, path: str) -> bytes: ...

    def write(self, path: str, data: bytes) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def read(self, path: str) -> bytes:
        try:
            return self.files[path]
        except KeyError:
            raise MissingTileError(path) from None

    def write(self, path: str, data: bytes) -> None:
        self.files[path] = data


class DirectoryStore:
    """Files under `root`, each written whole or not at all (a temporary file renamed
    into place), so a web server never serves half a tile."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: set[Path] = set()

    def read(self, path: str) -> bytes:
        try:
            return (self.root / path).read_bytes()
        except FileNotFoundError:
            raise MissingTileError(str(self.root / path)) from None

    def write(self, path: str, data: bytes) -> None:
        target = self.root / path
        folder = target.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# The latest signed checkpoint, beside the tiles (so served with them).
CHECKPOINT_FILE = "checkpoint"


def tiles_folder(state_dir: Path) -> Path:
    """Where the log keeps its tiles and latest checkpoint under a role's state folder."""
    return Path(state_dir) / "tlog"


def directory_store(state_dir: Path) -> DirectoryStore:
    return DirectoryStore(tiles_folder(state_dir))
