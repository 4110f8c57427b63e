"""A JSON-lines import shared among processes, with a stand-in publisher per process
(each writes what it is handed to a file): every entity's events in one process and in
file order, the summary and the reject file exactly as one process writes them."""

import json
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from pantau.contract.city import CityProfile, load_city_profile
from pantau.contract.events import AnyEvent, EventKind
from pantau.contract.settings import Settings
from pantau.publisher import DeliveryFailure, PublishError
from producers.import_parallel import import_file_parallel, part_for
from producers.importer import import_file, reject_path_for
from tests.factories import complaint_document, program_document

STATUSES = ["received", "verified", "dispatched", "in_progress", "resolved"]


class FilePublisher:
    """Writes each event it is handed, as [entity, event id], to a file of its own."""

    def __init__(self, settings: Settings, profile: Any = None, *, client_id: str) -> None:
        self.handle = (Path(settings.state_dir) / f"{client_id}.jsonl").open("w")

    def publish(self, event: AnyEvent) -> None:
        raise AssertionError("the parts hand over checked events")

    def publish_checked(self, event: AnyEvent, value: bytes) -> None:
        self.handle.write(json.dumps([event.entity_id, event.event_id]) + "\n")

    def flush(self, timeout: float | None = None) -> int:
        self.handle.flush()
        return 0

    def __enter__(self) -> "FilePublisher":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.handle.close()


class RefusingPublisher(FilePublisher):
    """A broker that refuses every event of complaint C-3."""

    def __init__(self, settings: Settings, profile: Any = None, *, client_id: str) -> None:
        super().__init__(settings, profile, client_id=client_id)
        self.refused: list[DeliveryFailure] = []

    def publish_checked(self, event: AnyEvent, value: bytes) -> None:
        if event.entity_id == "C-3":
            self.refused.append(DeliveryFailure(event.event_id, "pantau.complaints", "no"))
        else:
            super().publish_checked(event, value)

    def flush(self, timeout: float | None = None) -> int:
        if self.refused:
            raise PublishError(self.refused)
        return 0


@pytest.fixture(scope="module")
def profile() -> CityProfile:
    return load_city_profile("mojokerto")


def write_mixed(path: Path) -> list[str]:
    """Complaints' steps interleaved, programs, and bad lines of several kinds."""
    lines = []
    for step, status in enumerate(STATUSES):
        for complaint in range(8):
            lines.append(json.dumps(complaint_document(
                event_id=f"c{complaint}-{step}", complaint_id=f"C-{complaint}", status=status,
                category="ufo" if (complaint, step) == (5, 2) else "jalan-rusak",
            )))  # fmt: skip
        lines.append(json.dumps(program_document(event_id=f"p{step}", realization_pct=step)))
        lines += ["", "{not json", json.dumps({"complaint_id": "C-1"}), "[]"]
    path.write_text("\n".join(lines) + "\n")
    return lines


def test_every_entity_in_one_process_in_file_order_and_rejects_exact(
    tmp_path: Path, profile: CityProfile
) -> None:
    source = tmp_path / "mixed.jsonl"
    lines = write_mixed(source)
    with FilePublisher(Settings(state_dir=tmp_path), client_id="single") as one:
        single = import_file(source, None, one, profile)
    single_rejects = reject_path_for(source).read_text()
    seen: list[int] = []
    summary = import_file_parallel(
        source, None, Settings(state_dir=tmp_path), profile, processes=3,
        client_id="part", on_line=seen.append, publisher=FilePublisher,
    )  # fmt: skip
    assert seen == [n for n, text in enumerate(lines, start=1) if text.strip()]
    assert summary.published == single.published == 5 * 8 - 1 + 5
    assert summary.rejected == single.rejected
    assert [r.line for r in summary.rejected] == sorted(r.line for r in summary.rejected)
    assert reject_path_for(source).read_text() == single_rejects
    parts = {p: [json.loads(x) for x in (tmp_path / f"part-{p}.jsonl").read_text().splitlines()]
             for p in range(3)}  # fmt: skip
    where: dict[str, set[int]] = {}
    for part, published in parts.items():
        for entity, _ in published:
            where.setdefault(entity, set()).add(part)
    assert all(len(found) == 1 for found in where.values()), "an entity in one process"
    everything = [e for published in parts.values() for _, e in published]
    assert sorted(everything) == sorted(
        f"c{c}-{s}" for c in range(8) for s in range(5) if (c, s) != (5, 2)
    ) + [f"p{s}" for s in range(5)]
    for published in parts.values():
        for entity in {e for e, _ in published}:
            ids = [i for e, i in published if e == entity]
            assert ids == sorted(ids), "in file order"


def test_delivery_failures_of_every_process_are_raised_together(
    tmp_path: Path, profile: CityProfile
) -> None:
    source = tmp_path / "mixed.jsonl"
    write_mixed(source)
    with pytest.raises(PublishError) as raised:
        import_file_parallel(source, None, Settings(state_dir=tmp_path), profile, processes=2,
                             client_id="part", publisher=RefusingPublisher)  # fmt: skip
    assert sorted(f.event_id for f in raised.value.failures) == [f"c3-{s}" for s in range(5)]
    assert reject_path_for(source).exists(), "the rejects are written all the same"


def test_a_line_goes_by_its_entity_and_an_unreadable_one_to_the_first() -> None:
    line = json.dumps(complaint_document(complaint_id="C-77"))
    assert {part_for(line.replace("evt", f"x{n}"), None, 4) for n in range(5)} == {
        part_for(line, None, 4)
    }
    without_kind = json.dumps({"program_id": "GOV-1"})
    assert part_for(without_kind, EventKind.PROGRAM, 4) == part_for(
        json.dumps(program_document(program_id="GOV-1")), None, 4
    )
    for unreadable in ["{oops", "[1]", json.dumps({"program_id": "GOV-1"}), '{"kind": "ufo"}',
                       json.dumps(complaint_document(complaint_id=7))]:  # fmt: skip
        assert part_for(unreadable, None, 4) == 0
