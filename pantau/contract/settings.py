"""One settings object for every role, read from the environment (prefix PANTAU_) once.

Build it with `Settings()` at the edge (pantau/context.py for a command, a test fixture)
and pass it in; nothing reads the environment elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# .env (never committed; deploy/start.sh writes one with fresh passwords) is read from
# the working folder, below the environment's own PANTAU_ variables. PANTAU_ENV_FILE names
# another file, or none when set empty: the tests run beside a machine's own stack and
# must not take its keys (a log signing key from .env made the audit tests' trees fail).
ENV_FILE = os.environ.get("PANTAU_ENV_FILE", ".env") or None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PANTAU_", env_file=ENV_FILE, frozen=True, extra="ignore"
    )

    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", description="host:port[,host:port] of the Kafka brokers."
    )
    kafka_security: Literal["plaintext", "sasl_ssl"] = Field(
        default="plaintext",
        description="plaintext (loopback only) or sasl_ssl: SCRAM passwords over TLS.",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = Field(default="pantau", description="Pantau's Kafka user.")
    kafka_sasl_password: SecretStr | None = Field(
        default=None, description="Pantau's Kafka password (SCRAM); in .env, never in git."
    )
    kafka_ssl_cafile: Path | None = Field(
        default=None,
        description="CA certificate(s) to trust for the brokers' TLS; None: the system's.",
    )
    kafka_sasl_port: int = Field(
        default=9094, ge=1, le=65535, description="The local broker's SASL_SSL listener."
    )
    kafka_controller_port: int = Field(
        default=9095, ge=1, le=65535, description="KRaft controller port of the local broker."
    )
    redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"),
        description="Redis URL; may carry a password, so it is kept secret.",
    )
    redis_operator_password: SecretStr | None = Field(
        default=None,
        description="Password of the local stack's Redis operator user, which may only run "
        "BGREWRITEAOF and INFO (the benchmark forces a rewrite with it); none by default.",
    )
    prometheus_port: int = Field(default=9090, ge=1, le=65535)
    monitoring_password: SecretStr | None = Field(
        default=None, description="Basic auth of Prometheus and Alertmanager (docker compose)."
    )
    alertmanager_port: int = Field(default=9093, ge=1, le=65535)
    state_dir: Path = Field(
        default=Path(".pantau"), description="Data, pids and logs of the local stack."
    )
    redis_prefix: str = Field(
        default="pantau",
        pattern=r"^pantau[a-z0-9-]*$",
        description="Prefix of every live key; starts with 'pantau', the only names Pantau's "
        "Redis user may touch.",
    )
    worker_group: str = Field(
        default="pantau-worker", description="Kafka consumer group of the stream workers."
    )
    worker_session_timeout: float = Field(
        default=10.0,
        ge=6.0,
        description="Seconds before the group drops a silent worker; its partitions move on.",
    )
    worker_web_port: int = Field(default=6066, ge=1, le=65535, description="/metrics, /health")
    worker_web_bind: str = Field(default="127.0.0.1", description="Loopback unless in a container.")
    alerts_port: int = Field(default=8091, ge=1, le=65535, description="The alert notifier.")
    alert_webhooks: str = Field(
        default="", description="Comma-separated URLs that receive every alert change."
    )
    alertmanager_webhook_secret: SecretStr | None = Field(
        default=None,
        description="The bearer credential Alertmanager sends to the notifier's /alertmanager; "
        "unset, the notifier takes pipeline alerts from no one.",
    )
    operator_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated name=key pairs: the operators who may acknowledge, and "
        "the key each presents to the notifier.",
    )
    operator_key: SecretStr | None = Field(
        default=None, description="This operator's own key, which `pantau alerts ack` presents."
    )
    escalation_webhooks: str = Field(
        default="",
        description="Comma-separated role=URL pairs: where each escalation tier of the city "
        "profile (its roles) is paged. Secrets go in the URL or a secret file, never the profile.",
    )
    wall_port: int = Field(default=8092, ge=1, le=65535, description="The live wall page.")
    wall_bind: str = Field(default="127.0.0.1", description="Loopback unless in a container.")
    # Why 30 s: see dashboards/wall/freshness.py.
    wall_stale_after: float = Field(
        default=30.0,
        ge=1.0,
        description="Seconds an event may wait in Kafka unapplied, or Kafka stay unreadable, "
        "before the wall page says its figures are behind.",
    )
    # The detector and the checkpointer are loops, not web servers: each answers /metrics
    # and /health on a small endpoint of its own.
    detector_port: int = Field(
        default=8094, ge=1, le=65535, description="The spike detector's /metrics, /health."
    )
    detector_bind: str = Field(default="127.0.0.1", description="Loopback unless in a container.")
    checkpointer_port: int = Field(
        default=8095, ge=1, le=65535, description="The checkpointer's /metrics, /health."
    )
    checkpointer_bind: str = Field(
        default="127.0.0.1", description="Loopback unless in a container."
    )
    tlog_secret: SecretStr | None = Field(
        default=None,
        description="The verifiable log's secret (32+ characters; `pantau stack secrets` makes "
        "one): each complaint's salt is derived from it. Unset, the checkpointer keeps no tree.",
    )
    tlog_signing_key: SecretStr | None = Field(
        default=None,
        description="The log's Ed25519 signer key (PRIVATE+KEY+<origin>+..., as `pantau audit "
        "keygen` writes it): signs the tree's checkpoints. Unset, none are signed.",
    )
    intake_port: int = Field(default=8080, ge=1, le=65535)
    intake_api_keys: SecretStr | None = Field(
        default=None, description="Comma-separated API keys that may write to the intake."
    )
    intake_auth_disabled: bool = Field(
        default=False, description="Accept writes without a key; only when explicitly set."
    )
    intake_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    intake_writes_per_second: float = Field(
        default=20.0, gt=0, description="Writes one client may make per second (burst: twice)."
    )
    intake_reads_per_second: float = Field(
        default=100.0, gt=0, description="Reads one client may make per second (burst: twice)."
    )
    intake_contact: str = Field(
        default="", description="Whom Open311 clients contact about the intake (discovery)."
    )
    intake_key_service: str = Field(
        default="", description="Where Open311 clients ask for an API key (discovery)."
    )
    city_profile: str = Field(
        default="mojokerto", description="A bundled profile's name or a YAML file's path."
    )
    clock: AwareDatetime | None = Field(
        default=None,
        description='A fixed instant (ISO 8601 with its offset) that the figures\' "now" is '
        "judged at: overdue deadlines, today, the arrival trends. For tests and for showing a "
        "past moment again; unset, the real clock.",
    )

    @field_validator("kafka_bootstrap")
    @classmethod
    def _bootstrap_has_ports(cls, value: str) -> str:
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"expected host:port, got {server.strip()!r}")
        return value

    @field_validator("operator_keys")
    @classmethod
    def _operator_pairs(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            for n, pair in enumerate(_pairs(value.get_secret_value()), start=1):
                name, _, key = pair.partition("=")
                if not name.strip() or len(key.strip()) < 16:
                    # The value is secret: name the pair by its place, never show it.
                    raise ValueError(f"pair {n} is not name=key with a key of 16+ characters")
        return value

    @field_validator("escalation_webhooks")
    @classmethod
    def _role_urls(cls, value: str) -> str:
        for pair in _pairs(value):
            role, _, url = pair.partition("=")
            if not role.strip() or not url.strip().startswith(("http://", "https://")):
                raise ValueError(f"expected role=http(s)://..., got {role.strip()!r}=...")
        return value

    def operators(self) -> dict[str, str]:
        """Each operator's key -> their name."""
        if self.operator_keys is None:
            return {}
        named = (pair.partition("=") for pair in _pairs(self.operator_keys.get_secret_value()))
        return {key.strip(): name.strip() for name, _, key in named}

    def escalation_urls(self) -> dict[str, list[str]]:
        """Each role's webhook URLs."""
        urls: dict[str, list[str]] = {}
        for pair in _pairs(self.escalation_webhooks):
            role, _, url = pair.partition("=")
            urls.setdefault(role.strip(), []).append(url.strip())
        return urls

    @property
    def notifier_url(self) -> str:
        return f"http://127.0.0.1:{self.alerts_port}"

    @property
    def kafka_address(self) -> tuple[str, int]:
        """The first bootstrap server, which the local stack runs."""
        host, _, port = self.kafka_bootstrap.split(",")[0].strip().rpartition(":")
        return host, int(port)

    @property
    def redis_address(self) -> tuple[str, int]:
        parts = urlsplit(self.redis_url.get_secret_value())
        return parts.hostname or "127.0.0.1", parts.port or 6379

    def intake_keys(self) -> frozenset[str]:
        if self.intake_api_keys is None:
            return frozenset()
        keys = self.intake_api_keys.get_secret_value().split(",")
        return frozenset(key.strip() for key in keys if key.strip())

    def as_dict(self) -> dict[str, Any]:
        """Every setting, secrets masked: safe to print or log."""
        return self.model_dump(mode="json")


def _pairs(value: str) -> list[str]:
    return [pair.strip() for pair in value.split(",") if pair.strip()]
