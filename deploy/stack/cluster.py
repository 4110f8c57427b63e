"""A three-node Kafka cluster on loopback, for trying what one broker cannot show: a
partition leader lost mid-stream. Same jars and Java as the local stack; every node is
broker and controller; its data, pids and logs live under one folder."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from string import Template

from kafka import KafkaAdminClient

from deploy import DEPLOY_DIR
from deploy.stack.errors import StackError
from deploy.stack.install import ensure_command, ensure_kafka_jars
from deploy.stack.process import ManagedProcess
from deploy.stack.services import broker_answers
from deploy.stack.topics import ensure_topics

NODES = 3


@dataclass(frozen=True)
class Node:
    node_id: int
    port: int
    controller_port: int
    process: ManagedProcess

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


class LocalCluster:
    def __init__(self, root: Path, port_base: int) -> None:
        self.root = root.resolve()
        marker = f"{self.root}/"
        self.nodes = [
            Node(
                node_id,
                port_base + 100 * node_id + 92,
                port_base + 100 * node_id + 95,
                ManagedProcess(f"kafka-{node_id}", self.root / "run", self.root / "logs", marker),
            )
            for node_id in range(1, NODES + 1)
        ]

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes)

    def up(self) -> None:
        """Start every node not running, wait until all serve, create Pantau's topics."""
        for node in self.nodes:
            if node.process.pid() is None:
                node.process.start(self._command(node))
        self.wait_serving(self.nodes)
        ensure_topics(self.bootstrap, replication=NODES)

    def kill(self, node: Node) -> None:
        pid = node.process.pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while not node.process.exited(pid):
                time.sleep(0.05)

    def restart(self, node: Node) -> None:
        node.process.start(self._command(node))
        self.wait_serving([node])

    def down(self, *, purge: bool = False) -> None:
        for node in self.nodes:
            node.process.stop()
        if purge and self.root.exists():
            shutil.rmtree(self.root)

    def leader_of(self, topic: str, partition: int) -> Node:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="pantau-cluster")
        try:
            described = admin.describe_topics([topic])[0]
        finally:
            admin.close()
        # kafka-python names the fields after the protocol version it spoke.
        leader = next(
            p.get("leader_id", p.get("leader"))
            for p in described["partitions"]
            if p.get("partition_index", p.get("partition")) == partition
        )
        return next(node for node in self.nodes if node.node_id == leader)

    def wait_serving(self, nodes: list[Node], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for node in nodes:
            while not broker_answers(node.address):
                pid = node.process.pid()
                if pid is None or time.monotonic() > deadline:
                    raise StackError(
                        f"kafka-{node.node_id}", "not serving", node.process.log_tail()
                    )
                time.sleep(0.5)

    def _command(self, node: Node) -> list[str]:
        java = ensure_command("java", "openjdk-17-jre-headless", lambda message: None)
        lib = ensure_kafka_jars(lambda message: None)
        home = self.root / f"kafka-{node.node_id}"
        home.mkdir(parents=True, exist_ok=True)
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)
        config = home / "server.properties"
        config.write_text(
            Template((DEPLOY_DIR / "kafka" / "cluster.properties").read_text()).substitute(
                node_id=node.node_id,
                voters=voters,
                port=node.port,
                controller_port=node.controller_port,
                data_dir=home / "log",
            )
        )
        jvm = [java, "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
               f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'kafka' / 'log4j2.properties'}",
               "-cp", f"{lib}/*"]  # fmt: skip
        if not (home / "log" / "meta.properties").exists():
            formatted = subprocess.run(
                [*jvm, "kafka.tools.StorageTool", "format", f"--cluster-id={self._cluster_id()}",
                 "-c", str(config)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if formatted.returncode != 0:
                raise StackError(f"kafka-{node.node_id}", "format failed", formatted.stdout)
        return [*jvm, "kafka.Kafka", str(config)]

    def _cluster_id(self) -> str:
        path = self.root / "cluster.id"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            path.write_text(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))
        return path.read_text().strip()
