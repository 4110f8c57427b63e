import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from pantau.contract.settings import Settings


def test_settings_come_from_pantau_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_KAFKA_BOOTSTRAP", "10.0.0.5:29092")
    monkeypatch.setenv("PANTAU_REDIS_URL", "redis://pantau:s3cret@cache:6380/2")
    monkeypatch.setenv("PANTAU_STATE_DIR", "/var/lib/pantau")
    settings = Settings()
    assert settings.kafka_address == ("10.0.0.5", 29092)
    assert settings.redis_address == ("cache", 6380)
    assert settings.state_dir == Path("/var/lib/pantau")


def test_secrets_are_masked_when_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_REDIS_URL", "redis://pantau:s3cret@cache:6380/2")
    settings = Settings()
    assert "s3cret" not in str(settings.as_dict())
    assert "s3cret" not in repr(settings)
    assert settings.redis_url.get_secret_value().endswith("@cache:6380/2")


def test_a_bootstrap_without_port_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_KAFKA_BOOTSTRAP", "kafka")
    with pytest.raises(ValidationError, match="kafka_bootstrap"):
        Settings()


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.prometheus_port = 1  # type: ignore[misc]


def test_env_is_the_settings_file_unless_pantau_env_file_names_another_or_none() -> None:
    def env_file(**extra: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PANTAU_ENV_FILE"} | extra
        code = "from pantau.contract.settings import ENV_FILE; print(ENV_FILE)"
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        return done.stdout.strip()

    assert env_file() == ".env"
    assert env_file(PANTAU_ENV_FILE="/etc/pantau/env") == "/etc/pantau/env"
    assert env_file(PANTAU_ENV_FILE="") == "None"
