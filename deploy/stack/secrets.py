"""This machine's passwords, made once and kept in `.env` (never committed).

`pantau stack secrets` adds what is missing and never changes a value already there, so
running it again is harmless. The local stack reads `.env` through the settings (Redis'
user and password are in PANTAU_REDIS_URL); docker compose reads the same file for its
${...} variables.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from pantau.tlog.keys import generate_key

ENV_FILE = Path(".env")
# The local stack's log names itself so; a city's deployment uses its own domain's name.
LOG_ORIGIN = "pantau.local/audit"


def _token() -> str:
    return secrets.token_urlsafe(24)


def _fresh_values() -> dict[str, Callable[[dict[str, str]], str]]:
    return {
        # Redis: Pantau's ACL user (the default user is disabled).
        "PANTAU_REDIS_PASSWORD": lambda _: _token(),
        "PANTAU_REDIS_URL": lambda known: (
            f"redis://pantau:{known['PANTAU_REDIS_PASSWORD']}@127.0.0.1:6379/0"
        ),
        # Kafka SASL/SCRAM (docker compose's broker; PANTAU_KAFKA_SECURITY selects it).
        "PANTAU_KAFKA_SASL_PASSWORD": lambda _: _token(),
        # Basic auth in front of Prometheus and Alertmanager (docker compose).
        "PANTAU_MONITORING_PASSWORD": lambda _: _token(),
        "GRAFANA_ADMIN_PASSWORD": lambda _: _token(),
        # The key agencies' systems present to the intake for writes.
        "PANTAU_INTAKE_API_KEYS": lambda _: _token(),
        # What Alertmanager presents to the notifier: nobody else may raise a pipeline alert.
        "PANTAU_ALERTMANAGER_WEBHOOK_SECRET": lambda _: _token(),
        # The operator on duty at this machine: their name and key, and the key itself,
        # which `pantau alerts ack` presents. Add name=key pairs for each colleague.
        "PANTAU_OPERATOR_KEY": lambda _: _token(),
        "PANTAU_OPERATOR_KEYS": lambda known: f"piket={known['PANTAU_OPERATOR_KEY']}",
        # The verifiable log: the secret each complaint's salt is derived from, and the
        # key that signs the tree's checkpoints (outsiders check them with its public half).
        "PANTAU_TLOG_SECRET": lambda _: secrets.token_urlsafe(32),
        "PANTAU_TLOG_SIGNING_KEY": lambda _: generate_key(LOG_ORIGIN).encode(),
    }


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    return values


def ensure_env_file(path: Path = ENV_FILE) -> list[str]:
    """Add every missing secret to `path`; the names added."""
    known = read_env_file(path)
    added = []
    lines = []
    for name, make in _fresh_values().items():
        if name not in known:
            known[name] = make(known)
            lines.append(f"{name}={known[name]}")
            added.append(name)
    if lines:
        header = [] if path.exists() else ["# Pantau's passwords on this machine: keep private."]
        with path.open("a") as file:
            file.write("\n".join([*header, *lines]) + "\n")
    path.chmod(0o600)
    return added
