"""A JSON-lines import shared among processes, for files too large for one core.

This process reads the file and hands each line to one of the part processes by the
hash of its entity's key, so one entity's events all go through one part process and
its one producer, in file order: they reach their partition in that order, as from a
single importer. Each part checks, encodes and publishes its lines (BulkPublisher) and
sends back its count, its rejected lines and any delivery failures; the reject file and
the summary are then written here in line order, exactly as `import_file` writes them.

A part process (`python -m producers.import_part`) reads frames on its standard input
(its task, then chunks of numbered lines, then an end) and writes its outcome on its
standard output. A line whose key cannot be read (not JSON, no kind, no id) goes to the first
part: such a line is always rejected, wherever it is checked.
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import msgspec

from pantau.bulkpublisher import BulkPublisher
from pantau.contract.city import CityProfile
from pantau.contract.events import EventKind
from pantau.contract.settings import Settings
from pantau.publisher import DeliveryFailure, PublishError
from producers.importer import (
    JSONL_SUFFIXES,
    ImportSummary,
    Rejected,
    _reject_record,
    import_file,
    jsonl_lines,
    reject_path_for,
)

FRAME = struct.Struct(">Q")
CHUNK = 2000  # lines per frame to a part
# Files this large are shared among processes (one per core) when the caller does not
# say; below it, starting the processes costs more than they save.
PARALLEL_FROM_BYTES = 40 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]  # where the `producers` package is found
ENTITY_FIELD = {"complaint": "complaint_id", "program": "program_id", "indicator": "indicator_id"}


class _Keys(msgspec.Struct):
    """The fields that name a line's entity; the rest of the line is skipped unread."""

    kind: Any = None
    complaint_id: Any = None
    program_id: Any = None
    indicator_id: Any = None


_KEYS = msgspec.json.Decoder(_Keys)


def part_for(raw: str, kind: EventKind | None, parts: int) -> int:
    """Which part takes the line: by its entity id as the event will have it (the
    line's kind, or the import's), the first part when it has none."""
    try:
        keys = _KEYS.decode(raw)
    except msgspec.MsgspecError:
        return 0
    named = keys.kind or (kind.value if kind is not None else None)
    entity = getattr(keys, ENTITY_FIELD[named]) if named in ENTITY_FIELD else None
    if not isinstance(entity, str):
        return 0
    return zlib.crc32(entity.encode("utf-8", "surrogateescape")) % parts


@dataclass
class PartOutcome:
    published: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    failures: list[DeliveryFailure] = field(default_factory=list)


def import_file_parallel(
    path: Path,
    kind: EventKind | None,
    settings: Settings,
    profile: CityProfile,
    *,
    processes: int | None = None,
    source: str = "importer",
    client_id: str = "pantau-importer",
    on_line: Callable[[int], None] = lambda _: None,
    publisher: Callable[..., Any] = BulkPublisher,
) -> ImportSummary:
    """Import and publish the file: every event acknowledged when this returns, else
    PublishError names each one that was not (after the reject file is written). A CSV
    file, or one process, goes the single-process way (import_file, BulkPublisher).
    `publisher` makes each process's publisher (a unit test stands in for Kafka)."""
    if processes is None:
        large = path.stat().st_size >= PARALLEL_FROM_BYTES
        processes = (os.cpu_count() or 1) if large else 1
    if processes <= 1 or path.suffix.lower() not in JSONL_SUFFIXES:
        with publisher(settings, profile, client_id=client_id) as sink:
            return import_file(path, kind, sink, profile, source=source, on_line=on_line)
    task = (settings, profile, kind, source, datetime.now(UTC), client_id, publisher)
    parts = [_start_part(task, index) for index in range(processes)]
    try:
        chunks: list[list[tuple[int, str]]] = [[] for _ in parts]
        for number, raw in jsonl_lines(path):
            on_line(number)
            index = part_for(raw, kind, processes)
            chunks[index].append((number, raw))
            if len(chunks[index]) >= CHUNK:
                _hand_over(parts[index], chunks[index])
                chunks[index] = []
        for part, chunk in zip(parts, chunks, strict=True):
            if chunk:
                _hand_over(part, chunk)
            _hand_over(part, None)
        outcomes = [_outcome(part) for part in parts]
    finally:
        for part in parts:
            if part.poll() is None:
                part.kill()
            part.wait()
    return _summary(path, outcomes)


def _start_part(task: tuple[Any, ...], index: int) -> subprocess.Popen[bytes]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    part = subprocess.Popen(
        [sys.executable, "-m", "producers.import_part", str(index)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert part.stdin is not None
    write_frame(part.stdin, task)
    return part


def _hand_over(part: subprocess.Popen[bytes], chunk: list[tuple[int, str]] | None) -> None:
    """Send a chunk of lines to a part; None: the end of them."""
    assert part.stdin is not None
    try:
        write_frame(part.stdin, chunk)
        if chunk is None:
            part.stdin.close()
    except BrokenPipeError:
        _outcome(part)  # raises what stopped the part
        raise


def _outcome(part: subprocess.Popen[bytes]) -> PartOutcome:
    assert part.stdout is not None
    item = read_frame(part.stdout)
    if isinstance(item, BaseException):
        raise item
    if not isinstance(item, PartOutcome):
        raise RuntimeError(f"an import process ended without an outcome ({part.wait()})")
    return item


def _summary(path: Path, outcomes: list[PartOutcome]) -> ImportSummary:
    summary = ImportSummary(published=sum(o.published for o in outcomes))
    summary.rejected = sorted((r for o in outcomes for r in o.rejected), key=lambda r: r.line)
    reject_file = reject_path_for(path)
    reject_file.unlink(missing_ok=True)
    if summary.rejected:
        with reject_file.open("w", encoding="utf-8", errors="surrogateescape") as rejects:
            for rejected in summary.rejected:
                rejects.write(json.dumps(_reject_record(rejected), ensure_ascii=False) + "\n")
        summary.reject_file = reject_file
    failures = [f for o in outcomes for f in o.failures]
    if failures:
        raise PublishError(failures)
    return summary


def write_frame(stream: IO[bytes], item: object) -> None:
    body = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(FRAME.pack(len(body)) + body)
    stream.flush()


def read_frame(stream: IO[bytes]) -> object:
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    return pickle.loads(stream.read(FRAME.unpack(head)[0]))


def portable(error: Exception) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
