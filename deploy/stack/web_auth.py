"""Basic auth for Prometheus and Alertmanager in docker compose: their shared web
configuration (a bcrypt hash, never the password) and the password file that Prometheus
and the healthchecks read to call them. Written by a one-shot service from
PANTAU_MONITORING_PASSWORD, so no hash of a real password is ever committed."""

from __future__ import annotations

from pathlib import Path

import bcrypt
import yaml

USER = "pantau"


def write_web_auth(folder: Path, password: str, notifier_secret: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode()
    config = folder / "web.yml"
    config.write_text(yaml.safe_dump({"basic_auth_users": {USER: hashed}}))
    secret = folder / "password"
    secret.write_text(password)
    # Alertmanager presents this to the notifier (its webhook's bearer credentials).
    notifier = folder / "notifier-secret"
    notifier.write_text(notifier_secret)
    # The Prometheus and Alertmanager images run as nobody: readable, in a private volume.
    for written in (config, secret, notifier):
        written.chmod(0o644)
    return config
