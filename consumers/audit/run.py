"""The audit's jobs, composed from its parts: replay and compare, and gather what verify
holds against each other (the record of checkpoints, Redis' heads, the log)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

from consumers.audit.chain import ChainHead, Checkpoint
from consumers.audit.compare import figure_rows, state_differences
from consumers.audit.export import read_export
from consumers.audit.live import LiveState, read_live
from consumers.audit.replay import Progress, Replay, replay, window_for
from consumers.audit.report import AuditReport, Verdict
from consumers.audit.snapshot import load
from consumers.audit.verify import LogEvent, Verification, log_event, verify
from pantau.context import Context
from pantau.contract.settings import Settings
from pantau.contract.topics import AUDIT, EVENT_TOPICS, Partition
from pantau.logreader import LogReader, partitions_of
from pantau.state.compute import city_figures
from pantau.state.named import Figures, named_figures
from pantau.tlog.records import TREE_KEYS


async def audit_replay(
    context: Context,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: date | None = None,
    snapshot: Path | None = None,
    progress: Progress | None = None,
) -> tuple[AuditReport, Replay]:
    """Replay the window and compare: with a snapshot when given, with the live state when
    the window runs from the log's start to now, with nothing otherwise."""
    settings, profile = context.settings, context.profile
    live: LiveState | None = None
    shown: Figures | None = None
    compared: str | None = None
    now = datetime.now(UTC)
    async with LogReader(settings) as reader:
        if snapshot is not None:
            saved = load(snapshot)
            window = await window_for(reader, since, offsets=saved.shard_offsets())
            today, at = saved.today, saved.taken_at
            shown, compared = saved.figures, str(snapshot)
        elif until is None and since is None:
            live = read_live(context.redis, context.keys, profile.timezone)
            window = await window_for(reader, offsets=live.offsets)
            today, at = as_of or now.astimezone(profile.timezone).date(), now
            figures = city_figures(live.state, profile, today, now=at)
            shown, compared = named_figures(figures), "live state"
        else:
            window = await window_for(reader, since, until)
            at = until or now
            today = as_of or at.astimezone(profile.timezone).date()
    replayed = await replay(settings, profile, window, progress)
    figures = city_figures(replayed.state, profile, today, now=at)
    rows = figure_rows(named_figures(figures), shown)
    differences = state_differences(live.state, replayed) if live is not None else []
    verdict: Verdict = "replayed"
    if compared is not None:
        clean = all(row.matches for row in rows) and not differences
        verdict = "match" if clean else "differ"
    report = AuditReport(
        generated_at=datetime.now(UTC),
        city=profile.city.name,
        since=since,
        until=until,
        as_of=today.isoformat(),
        trends_until=at,
        compared_with=compared,
        events=replayed.events,
        rejected=replayed.rejected,
        seconds=round(replayed.seconds, 3),
        rate=round(replayed.rate, 1),
        verdict=verdict,
        figures=rows,
        differences=differences,
    )
    return report, replayed


async def recorded_checkpoints(settings: Settings) -> dict[str, list[Checkpoint]]:
    found: dict[str, list[Checkpoint]] = defaultdict(list)
    async with LogReader(settings) as reader:
        async for records in reader.whole(partitions_of(AUDIT)):
            for record in records:
                if record.key in TREE_KEYS:  # the Merkle tree's records
                    continue
                checkpoint = Checkpoint.model_validate_json(record.value)
                found[checkpoint.shard].append(checkpoint)
    return dict(found)


def redis_heads(context: Context) -> dict[str, ChainHead]:
    """Every partition's chain head as Redis holds it at one moment (one MGET)."""
    client, keys = context.redis, context.keys
    shards = [Partition(*tp).label for tp in partitions_of(*EVENT_TOPICS.values())]
    raws = client.mget([keys.audit_head(shard) for shard in shards])
    return {
        shard: ChainHead.model_validate_json(raw)
        for shard, raw in zip(shards, raws, strict=True)
        if raw is not None
    }


async def log_from_kafka(
    settings: Settings, progress: Progress | None = None
) -> dict[str, list[LogEvent]]:
    logs: dict[str, list[LogEvent]] = defaultdict(list)
    async with LogReader(settings) as reader:
        async for records in reader.whole(partitions_of(*EVENT_TOPICS.values())):
            shard = Partition(records[0].topic, records[0].partition).label
            logs[shard].extend(log_event(r.offset, r.value) for r in records)
            if progress is not None:
                progress(len(records))
    return dict(logs)


def log_from_export(path: Path) -> dict[str, list[LogEvent]]:
    logs: dict[str, list[LogEvent]] = defaultdict(list)
    for entry in read_export(path):
        logs[Partition(entry.topic, entry.partition).label].append(
            log_event(entry.offset, entry.raw())
        )
    return dict(logs)


async def audit_verify(
    context: Context, copy: Path | None = None, progress: Progress | None = None
) -> Verification:
    # The checkpointer writes the log's events, then a checkpoint to the topic, then the
    # head to Redis; reading in the other order (Redis, the topic, the log) means each read
    # holds at least what the one before vouches for, however far the checkpointer moves
    # meanwhile. Read otherwise, a head written since the topic was read looks forged.
    settings = context.settings
    heads = redis_heads(context)
    checkpoints = await recorded_checkpoints(settings)
    logs = log_from_export(copy) if copy is not None else await log_from_kafka(settings, progress)
    return verify(checkpoints, logs, heads)
