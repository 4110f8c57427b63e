"""The Merkle tree rebuilt from the record: the leaf order from the audit topic's
batches, each leaf from the log's record at its place, held against every batch's root
and every signed checkpoint. A removed, changed or reordered event, or a checkpoint
rewritten, shows as a finding; a faithful copy of the log checks alike (offsets name the
records, the order comes from the batches)."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pantau.tlog.checkpoint import Checkpoint
from pantau.tlog.compact import CompactRange
from pantau.tlog.leaf import Leaves
from pantau.tlog.order import LeafOrderError, Place, leaf_order
from pantau.tlog.records import LeafBatch


@dataclass(frozen=True)
class TreeCheck:
    size: int
    findings: list[str]


def check_tree(
    batches: Sequence[LeafBatch],
    records: Mapping[Place, bytes | None],
    checkpoints: Iterable[Checkpoint],
    leaves: Leaves,
) -> TreeCheck:
    """`records`: the log's values by place; `checkpoints`: the signed ones, already
    opened with the log's key."""
    findings: list[str] = []
    try:
        order = leaf_order(batches)
    except LeafOrderError as error:
        return TreeCheck(0, [str(error)])
    roots: dict[int, list[tuple[str, bytes]]] = {}
    for batch in batches:
        roots.setdefault(batch.size, []).append(
            (f"the batch ending at leaf {batch.size - 1}", base64.b64decode(batch.root))
        )
    for checkpoint in checkpoints:
        roots.setdefault(checkpoint.size, []).append(
            (f"the signed checkpoint of size {checkpoint.size}", checkpoint.root)
        )
    missing = [place for place in order if place not in records]
    for label, offset in missing[:10]:
        findings.append(f"{label} offset {offset}: a leaf's record is not in the log")
    edge = CompactRange()
    for size in sorted(roots):
        if size > len(order):
            findings += [
                f"{what} is beyond the recorded leaves ({len(order)})" for what, _ in roots[size]
            ]
            continue
        edge.extend(leaves.hashes(records.get(place) or b"" for place in order[edge.size : size]))
        root = edge.root()
        findings += [
            f"{what}: the log gives another root" for what, value in roots[size] if value != root
        ]
    covered = set(order)
    if len(covered) != len(order):
        findings.append("a record is more than one leaf")
    return TreeCheck(len(order), findings)
