"""The services of the local stack, one class each: how to install, configure, start and
health-check it. `Stack` (manager.py) runs them in order."""

from __future__ import annotations

import base64
import socket
import subprocess
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from string import Template

import httpx
import redis
import yaml
from kafka import KafkaAdminClient

from deploy import DEPLOY_DIR
from deploy.stack.errors import StackError
from deploy.stack.install import Report, ensure_command, ensure_kafka_jars
from deploy.stack.process import ManagedProcess
from deploy.stack.redis_acl import acl_file
from deploy.stack.tls import ensure_broker_tls
from pantau.contract.settings import Settings


@dataclass(frozen=True)
class StatePaths:
    """Everything `up` writes: data per service, pid files and logs, under one folder."""

    root: Path

    @classmethod
    def for_settings(cls, settings: Settings) -> StatePaths:
        return cls(settings.state_dir.expanduser().resolve())

    @property
    def marker(self) -> str:
        # With the trailing slash, ".pantau/" never matches ".pantau-test/...".
        return f"{self.root}/"

    def data(self, service: str) -> Path:
        path = self.root / service
        path.mkdir(parents=True, exist_ok=True)
        return path


class Service(ABC):
    name: str
    start_timeout: float = 60.0
    # (command, Debian package) pairs the service needs on PATH.
    commands: tuple[tuple[str, str], ...] = ()

    def __init__(self, settings: Settings, paths: StatePaths, report: Report) -> None:
        self.settings = settings
        self.paths = paths
        self.report = report
        self.process = ManagedProcess(
            self.name, paths.root / "run", paths.root / "logs", marker=paths.marker
        )

    @property
    @abstractmethod
    def address(self) -> str: ...

    def install(self) -> dict[str, str]:
        """Install what is missing; return the path of each needed command."""
        return {
            command: ensure_command(command, package, self.report)
            for command, package in self.commands
        }

    @abstractmethod
    def prepare(self) -> list[str]:
        """Install what is missing, write the configuration, return the command line."""

    @abstractmethod
    def healthy(self) -> bool:
        """Whether the service answers its own health request right now."""


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _http_ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class KafkaBroker(Service):
    name = "kafka"
    start_timeout = 120.0
    commands = (("java", "openjdk-17-jre-headless"), ("mvn", "maven"))

    @property
    def address(self) -> str:
        host, port = self.settings.kafka_address
        return f"{host}:{port}"

    def install(self) -> dict[str, str]:
        found = super().install()
        ensure_kafka_jars(self.report)
        return found

    def prepare(self) -> list[str]:
        java = self.install()["java"]
        lib = ensure_kafka_jars(self.report)
        home = self.paths.data("kafka")
        config = self.render_config(home)
        classpath = ["-cp", f"{lib}/*"]
        jvm = [
            java,
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'kafka' / 'log4j2.properties'}",
        ]
        if not (home / "log" / "meta.properties").exists():
            self._format_storage(jvm + classpath, config, home)
        return [*jvm, *classpath, "kafka.Kafka", str(config)]

    def render_config(self, home: Path) -> Path:
        host, port = self.settings.kafka_address
        template = Template((DEPLOY_DIR / "kafka" / "server.properties").read_text())
        tls = ensure_broker_tls(home / "tls")
        rendered = template.substitute(
            host=host,
            port=port,
            controller_port=self.settings.kafka_controller_port,
            sasl_port=self.settings.kafka_sasl_port,
            keystore=tls.keystore,
            data_dir=home / "log",
        )
        config = home / "server.properties"
        config.write_text(rendered)
        return config

    def _format_storage(self, java: list[str], config: Path, home: Path) -> None:
        # KRaft storage is formatted once, with a cluster id kept beside the data.
        cluster_id_file = home / "cluster.id"
        if not cluster_id_file.exists():
            raw = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            cluster_id_file.write_text(raw)
        self.report("formatting the Kafka storage (KRaft, first run only)")
        command = [
            *java,
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            # One argument, "=" joined: an id may start with "-", which argparse would
            # otherwise take for an option.
            f"--cluster-id={cluster_id_file.read_text().strip()}",
            "-c",
            str(config),
            *self._scram_user(),
        ]
        with self.process.open_log() as log:
            formatted = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
        if formatted.returncode != 0:
            raise StackError(self.name, "formatting the storage failed", self.process.log_tail())

    def _scram_user(self) -> list[str]:
        """Pantau's SCRAM credentials, stored with the storage (none without a password)."""
        if self.settings.kafka_sasl_password is None:
            return []
        user = self.settings.kafka_sasl_username
        password = self.settings.kafka_sasl_password.get_secret_value()
        arguments = []
        for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256"):
            arguments += ["--add-scram", f"{mechanism}=[name={user},password={password}]"]
        return arguments

    def healthy(self) -> bool:
        host, port = self.settings.kafka_address
        return _port_open(host, port) and broker_answers(self.address)


def broker_answers(address: str) -> bool:
    """Whether the Kafka broker at host:port answers a metadata request now."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=address, request_timeout_ms=3000, client_id="pantau-stack"
        )
    except Exception:  # kafka-python raises several kinds while a broker starts
        return False
    try:
        admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        admin.close()


class RedisServer(Service):
    name = "redis"
    commands = (("redis-server", "redis-server"), ("redis-cli", "redis-tools"))
    # Redis answers only once it has loaded its append-only file: the dataset, then up to
    # 4 GB of commands since the last rewrite (deploy/redis/redis.conf) at about 85 MB a
    # second here. 60 s was too short for the benchmark's 5 GB of state.
    start_timeout = 300.0

    @property
    def address(self) -> str:
        host, port = self.settings.redis_address
        return f"{host}:{port}"

    def prepare(self) -> list[str]:
        server = self.install()["redis-server"]
        _, port = self.settings.redis_address
        conf = DEPLOY_DIR / "redis" / "redis.conf"
        home = self.paths.data("redis")
        users = home / "users.acl"
        users.write_text(acl_file(self.settings))
        users.chmod(0o600)
        return [server, str(conf), "--port", str(port), "--dir", str(home), "--aclfile", str(users)]

    def healthy(self) -> bool:
        client = redis.Redis.from_url(
            self.settings.redis_url.get_secret_value(),
            socket_connect_timeout=1,
            socket_timeout=1,
        )
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


class Prometheus(Service):
    name = "prometheus"
    commands = (("prometheus", "prometheus"), ("promtool", "prometheus"))

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.settings.prometheus_port}"

    def prepare(self) -> list[str]:
        binary = self.install()["prometheus"]
        home = self.paths.data("prometheus")
        config = home / "prometheus.yml"
        config.write_text(yaml.safe_dump(self.config(), sort_keys=False))
        return [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address={self.address}",
        ]

    def config(self) -> dict[str, object]:
        """The local scrape and alerting configuration, rendered from the settings."""
        alertmanager = f"127.0.0.1:{self.settings.alertmanager_port}"
        roles = {
            "pantau-worker": self.settings.worker_web_port,
            "pantau-alerts": self.settings.alerts_port,
            "pantau-detector": self.settings.detector_port,
            "pantau-wall": self.settings.wall_port,
            "pantau-checkpointer": self.settings.checkpointer_port,
        }
        return {
            "global": {"scrape_interval": "5s", "evaluation_interval": "5s"},
            "rule_files": [str(DEPLOY_DIR / "prometheus" / "rules" / "*.yml")],
            "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
            "scrape_configs": [
                {"job_name": "prometheus", "static_configs": [{"targets": [self.address]}]},
                {"job_name": "alertmanager", "static_configs": [{"targets": [alertmanager]}]},
                *(
                    {"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                    for job, port in roles.items()
                ),
            ],
        }

    def healthy(self) -> bool:
        return _http_ready(f"http://{self.address}/-/ready")


class Alertmanager(Service):
    name = "alertmanager"
    commands = (
        ("prometheus-alertmanager", "prometheus-alertmanager"),
        ("amtool", "prometheus-alertmanager"),
    )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.settings.alertmanager_port}"

    def prepare(self) -> list[str]:
        binary = self.install()["prometheus-alertmanager"]
        home = self.paths.data("alertmanager")
        config = home / "alertmanager.yml"
        config.write_text(self.render_config())
        # An empty cluster address turns off the gossip port, which would bind 0.0.0.0.
        return [
            binary,
            f"--config.file={config}",
            f"--storage.path={home}",
            f"--web.listen-address={self.address}",
            "--cluster.listen-address=",
        ]

    def render_config(self) -> str:
        template = Template((DEPLOY_DIR / "alertmanager" / "alertmanager.yml").read_text())
        notifier = f"http://127.0.0.1:{self.settings.alerts_port}/alertmanager"
        return template.substitute(notifier_url=notifier, credentials_file=self.notifier_secret())

    def notifier_secret(self) -> Path:
        """The notifier's secret in a file of Alertmanager's own (mode 0600), not in its
        configuration; empty when none is set, so the notifier refuses its calls."""
        secret = self.settings.alertmanager_webhook_secret
        path = self.paths.data("alertmanager") / "notifier-secret"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text("" if secret is None else secret.get_secret_value())
        return path

    def healthy(self) -> bool:
        return _http_ready(f"http://{self.address}/-/ready")


SERVICE_ORDER: tuple[type[Service], ...] = (KafkaBroker, RedisServer, Prometheus, Alertmanager)
