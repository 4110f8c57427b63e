"""`pantau produce import FILE --kind ...`: CSV or JSONL files of events into Kafka.

Every line is validated against the contract and the city profile. A good line is
published; a bad one is reported with its line number and reason and written, as it
was, to a reject file beside the input, so nothing is lost.

Each event is decoded, checked against the city and encoded once: a JSON line that is
already a whole event (as the simulator's dry run writes them) is validated straight
from its text, and a sink that takes checked events (`CheckedSink`, such as the
publishers) gets its wire form with it.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pantau.contract.city import CityProfile
from pantau.contract.errors import ContractError, FieldProblem
from pantau.contract.events import (
    AnyEvent,
    EventKind,
    encode_event,
    event_from_mapping,
    parse_event,
)

# Rows without an event_id get one derived from their content, so importing the same
# file twice yields the same ids and the stream's dedupe drops the second copy.
IMPORT_NAMESPACE = uuid.UUID("7c1e4d9a-53a4-4cf3-8f61-2b7d0c1e9a55")


class Sink(Protocol):
    def publish(self, event: AnyEvent) -> None: ...


@runtime_checkable
class CheckedSink(Sink, Protocol):
    def publish_checked(self, event: AnyEvent, value: bytes) -> None:
        """`event` already fits the city; `value` is its wire form, `encode_event(event)`."""
        ...


@dataclass(frozen=True)
class Rejected:
    line: int
    problems: list[FieldProblem]
    raw: str


@dataclass
class ImportSummary:
    published: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    reject_file: Path | None = None


@dataclass(frozen=True)
class Row:
    line: int
    raw: str
    document: dict[str, Any] | None  # None when the line itself could not be decoded
    problem: FieldProblem | None = None


JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


def reject_path_for(path: Path) -> Path:
    return path.with_name(f"{path.name}.rejects.jsonl")


def read_rows(path: Path) -> Iterator[Row]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in JSONL_SUFFIXES:
        yield from _jsonl_rows(path)
    else:
        raise _not_a_table(path)


def _not_a_table(path: Path) -> ContractError:
    return ContractError(
        [FieldProblem(str(path), "expected a .csv, .jsonl or .ndjson file")], subject="file"
    )


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        line = reader.line_num
        for values in reader:
            raw = _csv_line(values)
            if len(values) != len(header):
                problem = FieldProblem(
                    "(row)", f"{len(values)} columns where the header has {len(header)}"
                )
                yield Row(line + 1, raw, None, problem)
            else:
                # An empty cell is an absent value (a CSV cannot say null otherwise).
                document = {k: v for k, v in zip(header, values, strict=True) if v != ""}
                yield Row(line + 1, raw, document)
            line = reader.line_num


def _csv_line(values: list[str]) -> str:
    """The row as CSV text again, quoting kept, for the reject file."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Each line that is not blank, numbered from 1, as it was less its line end."""
    with path.open(encoding="utf-8", errors="surrogateescape") as handle:
        for number, text in enumerate(handle, start=1):
            raw = text.rstrip("\n")
            if raw.strip():
                yield number, raw


def _jsonl_rows(path: Path) -> Iterator[Row]:
    for number, raw in jsonl_lines(path):
        yield _jsonl_row(number, raw)


def _jsonl_row(number: int, raw: str) -> Row:
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        return Row(number, raw, None, FieldProblem("(line)", f"invalid JSON: {error.msg}"))
    except RecursionError:
        return Row(number, raw, None, FieldProblem("(line)", "invalid JSON: nested too deeply"))
    if not isinstance(document, dict):
        return Row(number, raw, None, FieldProblem("(line)", "expected a JSON object"))
    return Row(number, raw, document)


def _whole_event(raw: str, kind: EventKind | None) -> AnyEvent | None:
    """The line's event if it is a whole one of the kind imported, validated from its text;
    None when it is not, for the way that fills what it lacks or names what is wrong.

    A line that validates as it is already names its kind, id, source and production
    time, so filling in (`to_event`) would leave it as it is: both ways give one event.
    """
    try:
        event = parse_event(raw)
    except ValueError:  # a ContractError, or text the JSON parser will not take
        return None
    if kind is not None and event.kind != kind.value:
        return None
    return event


def to_event(
    document: dict[str, Any], kind: EventKind | None, *, source: str, now: datetime
) -> AnyEvent:
    """Fill what a file may leave out (kind, ids, produced_at) and validate.

    Without `kind`, each line must say its own (as the simulator's dry run writes them).
    """
    given_kind = document.get("kind")
    if kind is None and given_kind is None:
        raise ContractError([FieldProblem("kind", "missing; name it on the line or with --kind")])
    if kind is not None and given_kind not in (None, kind.value):
        raise ContractError([FieldProblem("kind", f"is {given_kind!r}, the import is {kind}")])
    filled = {"kind": given_kind or kind, "source": source, "produced_at": now.isoformat()}
    filled.update(document)
    if "event_id" not in filled:
        canonical = json.dumps(document, sort_keys=True, ensure_ascii=False)
        digest = uuid.uuid5(IMPORT_NAMESPACE, f"{filled['kind']}:{canonical}")
        filled["event_id"] = f"imp-{digest.hex}"
    return event_from_mapping(filled)


def import_file(
    path: Path,
    kind: EventKind | None,
    sink: Sink,
    profile: CityProfile,
    *,
    source: str = "importer",
    on_line: Callable[[int], None] = lambda _: None,
) -> ImportSummary:
    summary = ImportSummary()
    reject_file = reject_path_for(path)
    reject_file.unlink(missing_ok=True)
    publish_checked = sink.publish_checked if isinstance(sink, CheckedSink) else None
    with reject_file.open("w", encoding="utf-8", errors="surrogateescape") as rejects:
        for line, raw, outcome in checked_events(path, kind, profile, source=source):
            on_line(line)
            if isinstance(outcome, ContractError):
                rejected = Rejected(line, outcome.problems, raw)
                summary.rejected.append(rejected)
                rejects.write(json.dumps(_reject_record(rejected), ensure_ascii=False) + "\n")
                continue
            if publish_checked is not None:
                publish_checked(outcome, encode_event(outcome))
            else:
                sink.publish(outcome)
            summary.published += 1
    if summary.rejected:
        summary.reject_file = reject_file
    else:
        reject_file.unlink()
    return summary


Checked = tuple[int, str, AnyEvent | ContractError]  # line number, its text, the outcome


def checked_events(
    path: Path,
    kind: EventKind | None,
    profile: CityProfile,
    *,
    source: str = "importer",
    now: datetime | None = None,
) -> Iterator[Checked]:
    """Each line of the file in order: its number, its text as read, and its event checked
    against the contract and the city, or the ContractError that says why not."""
    now = now or datetime.now(UTC)
    if path.suffix.lower() not in JSONL_SUFFIXES:
        for row in read_rows(path):
            yield _checked_row(row, kind, profile, source, now)
        return
    for number, raw in jsonl_lines(path):
        yield checked_line(number, raw, kind, profile, source, now)


def checked_line(
    number: int,
    raw: str,
    kind: EventKind | None,
    profile: CityProfile,
    source: str,
    now: datetime,
) -> Checked:
    """One JSON line (not blank) checked as checked_events checks it."""
    event = _whole_event(raw, kind)
    if event is None:
        return _checked_row(_jsonl_row(number, raw), kind, profile, source, now)
    problems = profile.problems_with(event)
    return number, raw, ContractError(problems) if problems else event


def _checked_row(
    row: Row, kind: EventKind | None, profile: CityProfile, source: str, now: datetime
) -> Checked:
    try:
        if row.problem is not None:
            raise ContractError([row.problem])
        assert row.document is not None
        event = profile.check(to_event(row.document, kind, source=source, now=now))
    except ContractError as error:
        return row.line, row.raw, error
    return row.line, row.raw, event


def _reject_record(rejected: Rejected) -> dict[str, Any]:
    return {
        "line": rejected.line,
        "errors": [{"field": p.field, "reason": p.reason} for p in rejected.problems],
        "raw": rejected.raw,
    }
