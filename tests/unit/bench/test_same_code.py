"""The benchmark compares frameworks, not code: the raw loop, the Quix Streams peer, the
worker and the audit replay call the same decode and the same fold."""

from __future__ import annotations

import bench.peer
import bench.raw
import consumers.audit.replay
import pantau.state.memory
import pantau.state.store
import streams.processor
from pantau.state.batch import fold_batch
from pantau.state.decode import decode


def test_every_consumer_decodes_with_one_function() -> None:
    users = (bench.raw, bench.peer, streams.processor, consumers.audit.replay)
    assert all(user.decode is decode for user in users)


def test_every_consumer_folds_with_one_function() -> None:
    users = (bench.raw, bench.peer, pantau.state.store, pantau.state.memory)
    assert all(user.fold_batch is fold_batch for user in users)
