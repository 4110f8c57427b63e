"""The audit against the real broker and Redis: a replay to now matches the live state
exactly, a replay to a snapshot reproduces it, a tampered live state is caught with the
key that differs, an event altered in a copy of the log is caught by verify, and the
report opens in a browser."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from playwright.async_api import async_playwright

from consumers.audit.replay import replay, window_for
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS
from pantau.logreader import LogReader
from pantau.publisher import EventPublisher
from producers.simulator.feed import SimulationConfig, city_feed
from tests.integration.test_intake import _free_port
from tests.integration.worker_helpers import PROFILE, start_worker, stop, wait_caught_up

PREFIX = "pantau-t-audit"


def _feed(settings: Settings, seed: int, count: int) -> None:
    start = datetime.now(UTC) - timedelta(days=2)
    events = itertools.islice(city_feed(PROFILE, SimulationConfig(start, seed=seed)), count)
    with EventPublisher(settings, PROFILE, client_id=f"test-audit-{seed}") as publisher:
        for event in events:
            publisher.publish(event)


def _pantau(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
           "PANTAU_REDIS_PREFIX": PREFIX, "PANTAU_STATE_DIR": str(settings.state_dir),
           "COLUMNS": "200"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "pantau", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def audited(live_stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder = tmp_path_factory.mktemp("audit")
    settings = live_stack.model_copy(update={"redis_prefix": PREFIX, "state_dir": folder})
    worker = start_worker(settings, PREFIX, PREFIX, _free_port(), folder / "worker.log")
    try:
        yield settings
    finally:
        stop(worker)


async def test_replays_match_the_live_state_and_a_snapshot(audited: Settings) -> None:
    _feed(audited, seed=901, count=3000)
    await wait_caught_up(audited, PREFIX)
    taken = _pantau(audited, "audit", "snapshot")
    assert taken.returncode == 0, taken.stdout + taken.stderr
    snapshot = next((Path(audited.state_dir) / "audit" / "snapshots").glob("snapshot-*.json"))

    _feed(audited, seed=902, count=2000)  # the city moves on after the snapshot
    await wait_caught_up(audited, PREFIX)
    now = _pantau(audited, "audit", "replay", "--out", str(audited.state_dir / "now"))
    assert now.returncode == 0, now.stdout + now.stderr
    report = json.loads((audited.state_dir / "now" / "report.json").read_text())
    assert report["verdict"] == "match" and report["compared_with"] == "live state"
    assert report["events"] >= 5000 and report["differences"] == []
    open_city = next(r for r in report["figures"] if r["name"] == "city.complaints.open")
    assert open_city["replayed"] == open_city["shown"] > 0

    back = _pantau(audited, "audit", "replay", "--snapshot", str(snapshot),
                   "--out", str(audited.state_dir / "back"))  # fmt: skip
    assert back.returncode == 0, back.stdout + back.stderr
    proved = json.loads((audited.state_dir / "back" / "report.json").read_text())
    saved = json.loads(snapshot.read_text())
    assert proved["verdict"] == "match"
    assert {r["name"]: r["replayed"] for r in proved["figures"]} == saved["figures"]
    assert proved["events"] < report["events"]

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page()
        await page.goto((audited.state_dir / "back" / "report.en.html").as_uri())
        assert "MATCH" in await page.locator("#verdict").inner_text()
        rows = await page.locator("#figures tr").count()
        assert rows == len(proved["figures"]) + 1
        await browser.close()


async def test_a_replay_shared_among_processes_equals_one_process_s(audited: Settings) -> None:
    _feed(audited, seed=903, count=1500)
    await wait_caught_up(audited, PREFIX)
    async with LogReader(audited) as reader:
        window = await window_for(reader)
    alone = await replay(audited, PROFILE, window, processes=1)
    shared = await replay(audited, PROFILE, window, processes=3)
    assert alone.events > 0 and (shared.events, shared.rejected) == (alone.events, alone.rejected)
    assert shared.state.records == alone.state.records
    assert shared.state.aggregates == alone.state.aggregates
    assert dict(shared.trail) == dict(alone.trail)


async def test_a_tampered_live_figure_is_caught_with_its_key(audited: Settings) -> None:
    await wait_caught_up(audited, PREFIX)
    client = redis.Redis.from_url(audited.redis_url.get_secret_value())
    key = KeySpace(PREFIX).aggregate(COMPLAINTS.name, 0, "complaints:dimension:living")
    client.hincrby(key, "open", 5)
    try:
        caught = _pantau(audited, "audit", "replay", "--out", str(audited.state_dir / "bad"))
        assert caught.returncode == 1, caught.stdout + caught.stderr
        report = json.loads((audited.state_dir / "bad" / "report.json").read_text())
        assert report["verdict"] == "differ"
        assert [(d["partition"], d["key"]) for d in report["differences"]] == [
            (f"{COMPLAINTS.name}[0]", "agg:complaints:dimension:living")
        ]
        living = next(r for r in report["figures"] if r["name"] == "living.complaints.open")
        assert living["shown"] == living["replayed"] + 5 and not living["matches"]
    finally:
        client.hincrby(key, "open", -5)


async def test_verify_holds_the_log_and_catches_an_altered_copy(
    audited: Settings, tmp_path: Path
) -> None:
    checkpointed = _pantau(audited, "run", "checkpoint", "--once", "--every", "200")
    assert checkpointed.returncode == 0, checkpointed.stdout + checkpointed.stderr
    intact = _pantau(audited, "audit", "verify")
    assert intact.returncode == 0 and "intact" in intact.stdout, intact.stdout + intact.stderr

    copy = tmp_path / "log.jsonl"
    exported = _pantau(audited, "audit", "export", str(copy))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    lines = copy.read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    received = '"status":"received"'
    target = next(n for n, e in enumerate(entries)
                  if e["topic"] == COMPLAINTS.name and received in e.get("value", ""))  # fmt: skip
    entry = entries[target]
    event = json.loads(entry["value"])
    event["status"] = "resolved"
    entry["value"] = json.dumps(event)
    lines[target] = json.dumps(entry)
    copy.write_text("\n".join(lines) + "\n")

    caught = _pantau(audited, "audit", "verify", "--log", str(copy))
    assert caught.returncode == 1, caught.stdout + caught.stderr
    shard = f"{entry['topic']}[{entry['partition']}]"
    assert f"changed {shard} offset {entry['offset']} ({event['event_id']})" in caught.stdout
