"""Beyond one machine: a three-broker KRaft cluster on loopback (replication 3, min
in-sync 2, acks=all). The leader of a partition is killed mid-stream while three workers
share the partitions, one of them stops, and the other two finish: every acknowledged
event is in the log once, and the live state equals a rebuild from the log."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.workers import wait_serving
from deploy.stack.cluster import LocalCluster
from pantau.contract.settings import Settings
from pantau.contract.topics import COMPLAINTS
from tests.integration.test_faults import _event_ids_in_log
from tests.integration.worker_helpers import (
    assert_same_state,
    publish_feed,
    read_redis_state,
    rebuild_from_log,
    start_worker,
    stop,
    wait_caught_up,
)

CLUSTER_DIR = Path(__file__).parents[2] / ".pantau-test" / "cluster"
PREFIX = "pantau-c-cluster"
EVENTS = 8000

pytestmark = pytest.mark.long


@pytest.fixture(scope="module")
def cluster(live_stack: Settings) -> Iterator[Settings]:
    """The cluster's brokers with the session's Redis."""
    brokers = LocalCluster(CLUSTER_DIR, port_base=27000)
    brokers.down(purge=True)
    try:
        brokers.up()
        yield live_stack.model_copy(update={"kafka_bootstrap": brokers.bootstrap})
    finally:
        brokers.down(purge=True)


async def test_a_leader_killed_mid_stream_loses_nothing_and_workers_agree(
    cluster: Settings, tmp_path: Path
) -> None:
    brokers = LocalCluster(CLUSTER_DIR, port_base=27000)
    log = tmp_path / "workers.log"
    workers = [start_worker(cluster, PREFIX, PREFIX, 16650 + n, log) for n in range(3)]
    acknowledged: list[str] = []
    feeder = threading.Thread(
        target=lambda: acknowledged.extend(publish_feed(cluster, 701, EVENTS, 100, 0.2))
    )
    try:
        for n in range(3):
            wait_serving(16650 + n)
        feeder.start()
        time.sleep(4)
        leader = brokers.leader_of(COMPLAINTS.name, 0)
        brokers.kill(leader)
        time.sleep(6)
        stop(workers[2])  # down to two workers while the broker is away: a rebalance
        brokers.restart(leader)
        feeder.join()
        assert len(acknowledged) == EVENTS
        logged = await _event_ids_in_log(cluster, set(acknowledged))
        assert sorted(logged) == sorted(acknowledged), "each acknowledged event once"
        await wait_caught_up(cluster, PREFIX, timeout=240)
        assert all(worker.poll() is None for worker in workers[:2])
        assert_same_state(read_redis_state(cluster, PREFIX), await rebuild_from_log(cluster))
    finally:
        if feeder.is_alive():
            feeder.join()
        for worker in workers:
            stop(worker)
        print(log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)")
