"""Settings for a stack of its own beside a developer's: every port offset from the
defaults and its own state folder. The tests and the benchmark run on such stacks, so
the stack on the default ports (the demo) is never touched."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import SecretStr

from pantau.contract.settings import Settings

# The operators such a stack knows, each with a fresh key.
TEST_OPERATORS = ("operator-1", "operator-2", "operator-7")


def isolated_settings(state_dir: Path, port_base: int) -> Settings:
    """A fresh Redis password each time: such a stack lives as long as its session."""
    password = secrets.token_urlsafe(24)
    return Settings(
        kafka_bootstrap=f"127.0.0.1:{port_base + 9092}",
        kafka_controller_port=port_base + 9095,
        kafka_sasl_port=port_base + 9094,
        kafka_sasl_password=SecretStr(secrets.token_urlsafe(24)),
        redis_url=SecretStr(f"redis://pantau:{password}@127.0.0.1:{port_base + 6379}/0"),
        prometheus_port=port_base + 9090,
        alertmanager_port=port_base + 9093,
        worker_web_port=port_base + 6066,
        alerts_port=port_base + 8091,
        wall_port=port_base + 8092,
        detector_port=port_base + 8094,
        checkpointer_port=port_base + 8095,
        state_dir=state_dir,
        alertmanager_webhook_secret=SecretStr(secrets.token_urlsafe(24)),
        operator_keys=SecretStr(
            ",".join(f"{name}={secrets.token_urlsafe(24)}" for name in TEST_OPERATORS)
        ),
    )
