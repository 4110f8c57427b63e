"""An operator at the command line: `pantau alerts ...` run as a separate process, with
the operator's own key (PANTAU_OPERATOR_KEY) and the notifier's address."""

from __future__ import annotations

import os
import subprocess
import sys

from pantau.contract.settings import Settings


def operator_key(settings: Settings, name: str) -> str:
    return next(key for key, operator in settings.operators().items() if operator == name)


def alerts_cli(
    settings: Settings, *args: str, operator: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PANTAU_REDIS_URL": settings.redis_url.get_secret_value(),
           "PANTAU_REDIS_PREFIX": settings.redis_prefix,
           "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "PANTAU_ALERTS_PORT": str(settings.alerts_port),
           "PANTAU_ALERT_WEBHOOKS": settings.alert_webhooks, "COLUMNS": "250"}  # fmt: skip
    env.pop("PANTAU_OPERATOR_KEY", None)
    if operator is not None:
        env["PANTAU_OPERATOR_KEY"] = operator_key(settings, operator)
    return subprocess.run([sys.executable, "-m", "pantau", "alerts", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
