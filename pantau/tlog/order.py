"""Where each leaf of the tree came from: the leaf order the checkpointer's batches fix
(records.py), and the index of a given record in it. The audit's tree check, `pantau
audit prove` and the intake's receipts all read a leaf's place this one way."""

from __future__ import annotations

from collections.abc import Iterable

from pantau.tlog.records import LeafBatch

Place = tuple[str, int]  # (partition label, offset)


class LeafOrderError(ValueError):
    """The batches do not tile the tree from leaf 0."""


def leaf_order(batches: Iterable[LeafBatch]) -> list[Place]:
    """Each leaf's record, in index order. A batch recorded again from a first index
    replaces what followed it (the checkpointer crashed between the topic and Redis)."""
    order: list[Place] = []
    for batch in batches:
        if batch.first_index > len(order):
            raise LeafOrderError(
                f"a batch starts at leaf {batch.first_index}, but the ones before end at "
                f"{len(order)}: batches of the audit topic are missing"
            )
        del order[batch.first_index :]
        order += [(label, offset) for _, label, offset in batch.locations()]
        if len(order) != batch.size:
            raise LeafOrderError(f"the batch from leaf {batch.first_index} miscounts its size")
    return order


def leaf_indexes(batches: Iterable[LeafBatch], places: Iterable[Place]) -> dict[Place, int]:
    """The leaf index of each of `places` that is a leaf (a record is one leaf at most)."""
    wanted = set(places)
    return {place: index for index, place in enumerate(leaf_order(batches)) if place in wanted}
