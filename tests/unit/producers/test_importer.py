import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pantau.contract.city import CityProfile, load_city_profile
from pantau.contract.events import AnyEvent, EventKind, encode_event
from producers.importer import import_file, reject_path_for, to_event
from tests.factories import complaint_document, indicator_document, program_document

HEADER = (
    "event_id,occurred_at,indicator_id,name,dimension,value,unit,period,target,direction,"
    "data_source"
)
GOOD = (
    "e1,2023-09-30T17:00:00+07:00,stunting-prevalence,Prevalensi stunting,living,2.26,%,"
    "2023-09,2.0,lower_is_better,E-PPBGM"
)


class ListSink:
    def __init__(self) -> None:
        self.events: list[AnyEvent] = []

    def publish(self, event: AnyEvent) -> None:
        self.events.append(event)


@pytest.fixture(scope="module")
def profile() -> CityProfile:
    return load_city_profile("mojokerto")


def test_csv_good_lines_are_published_and_bad_ones_rejected_by_line(
    tmp_path: Path, profile: CityProfile
) -> None:
    source = tmp_path / "indicators.csv"
    source.write_text(
        "\n".join(
            [
                HEADER,
                GOOD,
                GOOD.replace("e1,", "e2,").replace("2.26", "abc"),
                GOOD.replace("e1,", "e3,").replace("stunting-prevalence", "gdp"),
                GOOD.replace("e1,", "e4,").replace(",2.0,", ",,"),
                "e5,too,few",
            ]
        )
        + "\n"
    )
    sink = ListSink()
    summary = import_file(source, EventKind.INDICATOR, sink, profile)

    assert [e.event_id for e in sink.events] == ["e1", "e4"]
    assert summary.published == 2
    reasons = {r.line: [str(p) for p in r.problems] for r in summary.rejected}
    assert reasons[3] == [
        "indicator.value: Input should be a valid number, unable to parse string as a number"
    ]
    assert reasons[4] == ["indicator_id: not an indicator of this city"]
    assert reasons[6] == ["(row): 3 columns where the header has 11"]
    rejects = [json.loads(line) for line in reject_path_for(source).read_text().splitlines()]
    assert [r["line"] for r in rejects] == [3, 4, 6]
    assert rejects[0]["raw"] == GOOD.replace("e1,", "e2,").replace("2.26", "abc")


def test_jsonl_lines_may_name_their_own_kind(tmp_path: Path, profile: CityProfile) -> None:
    lines = [
        {"kind": "program", "occurred_at": "2023-12-31T10:00:00+07:00", "program_id": "P1",
         "name": "Taman kota", "dimension": "environment", "agency": "dlh",
         "status": "completed", "realization_pct": 100, "year": 2023},
        {"occurred_at": "2023-12-31T10:00:00+07:00"},
    ]  # fmt: skip
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n{broken\n")
    sink = ListSink()
    summary = import_file(source, None, sink, profile)
    assert [e.kind for e in sink.events] == ["program"]
    assert sink.events[0].event_id.startswith("imp-")
    reasons = {r.line: str(r.problems[0]) for r in summary.rejected}
    assert reasons[2] == "kind: missing; name it on the line or with --kind"
    assert reasons[4].startswith("(line): invalid JSON")


def test_an_import_of_the_same_file_derives_the_same_event_ids(
    tmp_path: Path, profile: CityProfile
) -> None:
    source = tmp_path / "noids.csv"
    source.write_text(HEADER.replace("event_id,", "") + "\n" + GOOD.replace("e1,", "") + "\n")
    first, second = ListSink(), ListSink()
    import_file(source, EventKind.INDICATOR, first, profile)
    import_file(source, EventKind.INDICATOR, second, profile)
    assert first.events[0].event_id == second.events[0].event_id
    assert not reject_path_for(source).exists(), "no reject file when nothing was rejected"


def test_a_line_of_another_kind_is_rejected(tmp_path: Path, profile: CityProfile) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"kind": "program"}) + "\n")
    summary = import_file(source, EventKind.COMPLAINT, ListSink(), profile)
    assert str(summary.rejected[0].problems[0]) == "kind: is 'program', the import is complaint"


class CheckedListSink(ListSink):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[bytes] = []

    def publish(self, event: AnyEvent) -> None:
        raise AssertionError("a checked sink gets checked events")

    def publish_checked(self, event: AnyEvent, value: bytes) -> None:
        self.events.append(event)
        self.values.append(value)


def test_whole_lines_give_the_events_the_filling_way_gives(
    tmp_path: Path, profile: CityProfile
) -> None:
    """A line that is a whole event is validated from its text; one that lacks something
    goes through to_event. Both ways agree, and the sink gets the canonical bytes."""
    whole = [
        complaint_document(event_id=f"c{n}", complaint_id=f"C-{n}", lat=-7.5 + n / 1000)
        for n in range(5)
    ] + [program_document(realization_pct=12.5), indicator_document()]
    source = tmp_path / "whole.jsonl"
    # Any spacing and key order: the wire form is re-encoded, not copied.
    source.write_text("".join(json.dumps(d, indent=None, sort_keys=True) + "\n" for d in whole))
    checked, plain = CheckedListSink(), ListSink()
    import_file(source, None, checked, profile)
    now = datetime.now(UTC)
    slow = [to_event(d, None, source="importer", now=now) for d in whole]
    assert checked.events == slow
    assert checked.values == [encode_event(e) for e in slow]
    import_file(source, None, plain, profile)
    assert plain.events == slow


def test_line_numbers_count_blank_lines_and_windows_line_ends(
    tmp_path: Path, profile: CityProfile
) -> None:
    good = json.dumps(program_document())
    lines = ["", good, "  ", json.dumps(program_document(agency="nasa")), good, "[1]", "{"]
    source = tmp_path / "crlf.jsonl"
    source.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    sink = CheckedListSink()
    summary = import_file(source, EventKind.PROGRAM, sink, profile)
    assert summary.published == 2 and len(sink.events) == 2
    assert {r.line: str(r.problems[0]) for r in summary.rejected} == {
        4: "agency: not an agency of this city",
        6: "(line): expected a JSON object",
        7: "(line): invalid JSON: Expecting property name enclosed in double quotes",
    }
    rejects = [json.loads(line) for line in reject_path_for(source).read_text().splitlines()]
    assert [(r["line"], r["raw"]) for r in rejects] == [(4, lines[3]), (6, "[1]"), (7, "{")]


def test_a_whole_line_of_another_kind_is_still_rejected_by_kind(
    tmp_path: Path, profile: CityProfile
) -> None:
    source = tmp_path / "kinds.jsonl"
    source.write_text(json.dumps(program_document()) + "\n")
    summary = import_file(source, EventKind.COMPLAINT, CheckedListSink(), profile)
    assert summary.published == 0
    assert str(summary.rejected[0].problems[0]) == "kind: is 'program', the import is complaint"
