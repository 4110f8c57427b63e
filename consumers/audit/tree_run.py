"""The Merkle tree's audit against Kafka: its batches and signed checkpoints from the
audit topic, the event topics' records, and the tree rebuilt from both (tree_check.py).

It holds every event's value in memory while it checks: a city's years of complaints
are a few gigabytes at most; a bigger log wants a streaming check."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from consumers.audit.export import read_export
from consumers.audit.tree_check import TreeCheck, check_tree
from pantau.contract.settings import Settings
from pantau.contract.topics import EVENT_TOPICS, Partition
from pantau.logreader import LogReader, partitions_of
from pantau.tlog.blinding import derived_salts
from pantau.tlog.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from pantau.tlog.keys import SignerKey
from pantau.tlog.leaf import Leaves
from pantau.tlog.note import NoteError, Verifier
from pantau.tlog.order import Place
from pantau.tlog.recorded import recorded_tree
from pantau.tlog.signers import NoteVerifier


async def event_records(settings: Settings) -> dict[Place, bytes | None]:
    found: dict[Place, bytes | None] = {}
    async with LogReader(settings) as reader:
        async for records in reader.whole(partitions_of(*EVENT_TOPICS.values())):
            label = Partition(records[0].topic, records[0].partition).label
            for record in records:
                found[label, record.offset] = record.value
    return found


def opened_checkpoints(
    notes: Sequence[bytes], verifiers: Sequence[Verifier]
) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints the log's key signed, and a finding for each note it did not."""
    opened, findings = [], []
    for number, note in enumerate(notes, start=1):
        try:
            opened.append(open_checkpoint(note, verifiers)[0])
        except (NoteError, CheckpointError) as error:
            findings.append(f"signed checkpoint {number} of the audit topic: {error}")
    return opened, findings


def log_verifier(settings: Settings) -> NoteVerifier:
    """The log's public key, from its signer key in the settings."""
    if settings.tlog_signing_key is None:
        raise ValueError("PANTAU_TLOG_SIGNING_KEY is unset: no key signs the log here")
    return NoteVerifier(SignerKey.parse(settings.tlog_signing_key.get_secret_value()).verifier())


def export_records(path: Path) -> dict[Place, bytes | None]:
    """The records of an exported copy of the log (`pantau audit export`)."""
    return {
        (Partition(entry.topic, entry.partition).label, entry.offset): entry.raw()
        for entry in read_export(path)
    }


async def audit_tree(
    settings: Settings, verifiers: Sequence[Verifier], copy: Path | None = None
) -> TreeCheck:
    """Rebuild the tree from the log (or an exported copy of it) and hold it against what
    the audit topic recorded and the log signed. The audit topic is read first: every
    batch in it was recorded after its events were in the log."""
    if settings.tlog_secret is None:
        raise ValueError("PANTAU_TLOG_SECRET is unset: the leaves' salts cannot be derived")
    recorded = await recorded_tree(settings)
    records = export_records(copy) if copy is not None else await event_records(settings)
    checkpoints, findings = opened_checkpoints(recorded.notes, verifiers)
    leaves = Leaves(derived_salts(settings.tlog_secret.get_secret_value().encode()))
    checked = check_tree(recorded.batches, records, checkpoints, leaves)
    return TreeCheck(checked.size, findings + checked.findings)
