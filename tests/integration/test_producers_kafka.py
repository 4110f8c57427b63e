"""Importer and demo feed against the real broker: every good line published, keys and
per-entity order as designed, and each bad line rejected with its number."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pantau.contract.errors import ContractError
from pantau.contract.events import ComplaintEvent, parse_event
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS, HEADER_KIND, INDICATORS, PROGRAMS
from tests.integration.kafka_helpers import consume_until

COLUMNS = [
    "event_id", "occurred_at", "complaint_id", "status", "channel", "category",
    "dimension", "agency", "kecamatan", "kelurahan",
]  # fmt: skip
STATUSES = ["received", "verified", "dispatched", "in_progress", "resolved"]


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
    }


def _write_complaints_csv(path: Path, lines: int, bad_every: int) -> tuple[set[str], list[int]]:
    good_ids, bad_lines = set(), []
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(lines):
            line = number + 2  # the header is line 1
            complaint, step = divmod(number, len(STATUSES))
            row = [
                f"imp-test-{number}", f"2026-11-27T{8 + step:02d}:00:00+07:00",
                f"IMP-{complaint}", STATUSES[step], "web", "drainase", "living", "dpupr",
                "prajurit-kulon", "blooto",
            ]  # fmt: skip
            if number % bad_every == 7:
                row[5] = "no-such-category"
                bad_lines.append(line)
            else:
                good_ids.add(row[0])
            writer.writerow(row)
    return good_ids, bad_lines


async def test_import_of_10000_lines_publishes_every_good_one(
    live_stack: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "complaints.csv"
    good_ids, bad_lines = _write_complaints_csv(source, lines=10_000, bad_every=250)
    result = subprocess.run(
        [sys.executable, "-m", "pantau", "produce", "import", str(source), "--kind", "complaint"],
        env=_env(live_stack), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"published {len(good_ids)}, rejected {len(bad_lines)}" in result.stderr
    rejects = [json.loads(line) for line in source.with_name("complaints.csv.rejects.jsonl").open()]
    assert [r["line"] for r in rejects] == bad_lines
    assert all(r["errors"] == [{"field": "category", "reason": "not a category of this city"}]
               for r in rejects)  # fmt: skip

    def imported(records: list[Any]) -> list[Any]:
        return [r for r in records if r.key.startswith(b"IMP-")]

    records = imported(
        await consume_until(
            live_stack, COMPLAINTS.name, lambda seen: len(imported(seen)) >= len(good_ids)
        )
    )
    assert {parse_event(r.value).event_id for r in records} == good_ids
    partitions: dict[bytes, set[int]] = defaultdict(set)
    steps: dict[bytes, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        event = parse_event(record.value)
        assert isinstance(event, ComplaintEvent)
        assert dict(record.headers)[HEADER_KIND] == b"complaint"
        partitions[record.key].add(record.partition)
        steps[record.key].append(event.status.value)
    assert all(len(p) == 1 for p in partitions.values()), "an entity stays in one partition"
    assert all(s == [x for x in STATUSES if x in s] for s in steps.values()), "in order"


async def test_the_demo_feeds_the_broker_for_the_count_asked(
    live_stack: Settings, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pantau", "produce", "demo", "--count", "400", "--seed", "11",
         "--day-minutes", "0.5", "--start", "2026-11-23T00:00:00"],
        env=_env(live_stack), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '{"published": 400}' in result.stdout + result.stderr

    dry = tmp_path / "demo.jsonl"
    subprocess.run(
        [sys.executable, "-m", "pantau", "produce", "demo", "--count", "400", "--seed", "11",
         "--start", "2026-11-23T00:00:00", "--dry-run", str(dry)],
        env=_env(live_stack), capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    expected: dict[str, set[str]] = defaultdict(set)
    for line in dry.open():
        document = json.loads(line)
        expected[document["kind"]].add(document["event_id"])
    assert sum(len(ids) for ids in expected.values()) == 400

    # The live run published exactly what the dry run wrote: same seed, same events.
    for kind, topic in (
        ("program", PROGRAMS),
        ("indicator", INDICATORS),
        ("complaint", COMPLAINTS),
    ):
        wanted = expected[kind]
        records = await consume_until(live_stack, topic.name, _has_all(wanted))
        assert wanted <= _event_ids(records)


def _has_all(wanted: set[str]) -> Callable[[list[Any]], bool]:
    return lambda seen: wanted <= _event_ids(seen)


def _event_ids(records: list[Any]) -> set[str]:
    # The topics are shared with the other tests, some of which send malformed messages
    # on purpose (the dead-letter tests): those are not events, and not ours.
    ids = set()
    for record in records:
        try:
            ids.add(parse_event(record.value).event_id)
        except ContractError:
            continue
    return ids


async def test_the_seeded_demo_imports_its_history_then_feeds_live(
    live_stack: Settings, tmp_path: Path
) -> None:
    env = {**_env(live_stack), "PANTAU_STATE_DIR": str(tmp_path)}
    demo = subprocess.Popen(
        [sys.executable, "-m", "pantau", "produce", "demo", "--history-days", "1",
         "--rate", "300", "--seed", "12"],
        env={**env, "COLUMNS": "200"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    assert demo.stdout is not None
    said = []
    for line in demo.stdout:  # until the history is in and the live feed has begun
        said.append(line)
        if line.startswith("history:"):
            break
    # At once: the live feed's publisher may be connecting, which a stop must not break.
    demo.send_signal(signal.SIGINT)
    rest, _ = demo.communicate(timeout=60)
    assert said and said[-1].startswith("history:"), "".join(said) + rest
    assert demo.returncode == 0 and "stopped" in rest, rest
    history = next((tmp_path / "demo").glob("history-12-300-*.jsonl"))
    wanted: dict[str, set[str]] = defaultdict(set)
    for line in history.open():
        document = json.loads(line)
        wanted[document["kind"]].add(document["event_id"])
    assert len(wanted["complaint"]) > 200
    assert f"history: {sum(len(ids) for ids in wanted.values())} events" in said[-1]
    records = await consume_until(live_stack, COMPLAINTS.name, _has_all(wanted["complaint"]))
    assert wanted["complaint"] <= _event_ids(records)
