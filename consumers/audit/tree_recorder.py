"""The tree's share of the checkpointer's loop: append what it read, record each batch
of leaves in the audit topic and then the tree's head in Redis, and sign a checkpoint of
the recorded tree at least every `sign_every` seconds while it grows."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable

import redis
from kafka import KafkaProducer

from consumers.audit.checkpoint_metrics import CheckpointerMetrics
from consumers.audit.tree import LogTree
from pantau.contract.keys import KeySpace
from pantau.contract.settings import Settings
from pantau.contract.topics import AUDIT
from pantau.tlog.keys import SignerKey
from pantau.tlog.note import Signer
from pantau.tlog.records import CHECKPOINT_KEY, LEAVES_KEY, TreeHead
from pantau.tlog.signers import NoteSigner
from pantau.tlog.store import directory_store

log = logging.getLogger("pantau.audit")
SIGN_EVERY = 60.0


class TreeRecorder:
    def __init__(
        self,
        tree: LogTree,
        client: redis.Redis,
        keys: KeySpace,
        signer: Signer | None,
        every: int,
        interval: float,
        sign_every: float = SIGN_EVERY,
        metrics: CheckpointerMetrics | None = None,
    ) -> None:
        self.tree = tree
        self.redis = client
        self.keys = keys
        self.signer = signer
        self.every = every
        self.interval = interval
        self.sign_every = sign_every
        self.metrics = metrics
        self._signed_size: int | None = None
        self._signed_at = -math.inf

    @classmethod
    def open(
        cls,
        settings: Settings,
        client: redis.Redis,
        every: int,
        interval: float,
        metrics: CheckpointerMetrics | None = None,
    ) -> TreeRecorder | None:
        """The recorder the settings ask for: none without the log's secret."""
        if settings.tlog_secret is None:
            log.warning("PANTAU_TLOG_SECRET is unset: no Merkle tree is kept")
            return None
        keys = KeySpace(settings.redis_prefix)
        raw = client.get(keys.audit_tree)
        head = None if raw is None else TreeHead.model_validate_json(raw)
        secret = settings.tlog_secret.get_secret_value().encode()
        tree = LogTree.resume(directory_store(settings.state_dir), secret, head)
        key = settings.tlog_signing_key
        signer = None if key is None else NoteSigner(SignerKey.parse(key.get_secret_value()))
        return cls(tree, client, keys, signer, every, interval, metrics=metrics)

    def next_offset(self, label: str) -> int:
        return self.tree.next_offset(label)

    def add(self, label: str, records: Iterable[tuple[int, bytes | None]]) -> None:
        self.tree.add(label, records)

    def step(self, producer: KafkaProducer, caught_up: bool = False) -> None:
        """Record the pending leaves if due (all of them once caught up), then sign if due."""
        tree = self.tree
        if tree.due(self.every, self.interval) or (caught_up and tree.pending):
            self._record(producer)
        due = caught_up or time.monotonic() - self._signed_at >= self.sign_every
        if self.signer is not None and due and not tree.pending and tree.size != self._signed_size:
            self._sign(producer, self.signer)

    def _record(self, producer: KafkaProducer) -> None:
        batch, head = self.tree.batch()
        producer.send(AUDIT.name, key=LEAVES_KEY, value=batch.model_dump_json().encode()).get(
            timeout=60
        )
        self.redis.set(self.keys.audit_tree, head.model_dump_json())
        self.tree.committed()
        log.info("tree leaves %d..%d root %s", batch.first_index, batch.size - 1, batch.root)

    def _sign(self, producer: KafkaProducer, signer: Signer) -> None:
        note = self.tree.sign(signer)
        producer.send(AUDIT.name, key=CHECKPOINT_KEY, value=note.encode().encode()).get(timeout=60)
        self._signed_size = self.tree.size
        self._signed_at = time.monotonic()
        if self.metrics is not None:
            self.metrics.signed()
        log.info("tree checkpoint signed at size %d", self.tree.size)
