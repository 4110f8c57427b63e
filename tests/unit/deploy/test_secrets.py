"""`pantau stack secrets`: fills .env once, keeps what is there, and the settings read it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from deploy.stack.redis_acl import acl_file, redis_user
from deploy.stack.secrets import ensure_env_file, read_env_file
from pantau.contract.settings import Settings


def test_secrets_are_made_once_and_kept(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    added = ensure_env_file(env)
    first = read_env_file(env)
    assert set(added) == set(first)
    assert first["PANTAU_REDIS_URL"] == (
        f"redis://pantau:{first['PANTAU_REDIS_PASSWORD']}@127.0.0.1:6379/0"
    )
    assert len({first[name] for name in first if name.endswith("PASSWORD")}) == 4
    assert ensure_env_file(env) == []
    assert read_env_file(env) == first
    assert oct(env.stat().st_mode & 0o777) == "0o600"


def test_a_missing_secret_is_added_beside_the_ones_kept(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("PANTAU_REDIS_PASSWORD=mine\n")
    ensure_env_file(env)
    values = read_env_file(env)
    assert values["PANTAU_REDIS_PASSWORD"] == "mine"
    assert values["PANTAU_REDIS_URL"] == "redis://pantau:mine@127.0.0.1:6379/0"


def test_the_settings_read_env_and_the_acl_holds_only_a_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PANTAU_REDIS_URL", raising=False)
    ensure_env_file(tmp_path / ".env")
    # Named here: the test session reads no settings file by default (tests/conftest.py).
    settings = Settings(_env_file=".env")
    user, password = redis_user(settings)
    rendered = acl_file(settings)
    assert user == "pantau" and password not in rendered
    rights = "resetkeys ~pantau* resetchannels &pantau* +@all -@dangerous +info"
    # Off, no password; Pantau's rights only so that the AOF replays (redis_acl.py).
    assert f"user default off resetpass {rights}\n" in rendered
    assert "user pantau on #" in rendered and rendered.endswith(f" {rights}\n")
    assert os.environ.get("PANTAU_REDIS_PASSWORD") is None  # read, not exported


def test_the_operator_user_exists_only_with_its_password_and_may_touch_no_key() -> None:
    settings = Settings(redis_url=SecretStr("redis://pantau:secret-one@127.0.0.1:6379/0"))
    assert "pantau-operator" not in acl_file(settings)
    operator = settings.model_copy(update={"redis_operator_password": SecretStr("secret-two")})
    rendered = acl_file(operator)
    line = next(row for row in rendered.splitlines() if row.startswith("user pantau-operator"))
    assert "secret-two" not in rendered
    assert line.endswith(" resetkeys resetchannels -@all +bgrewriteaof +info +ping")


def test_the_log_s_secret_and_signing_key_are_made_for_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pantau.tlog.keys import SignerKey

    monkeypatch.chdir(tmp_path)
    ensure_env_file(tmp_path / ".env")
    settings = Settings(_env_file=".env")
    assert settings.tlog_secret is not None and settings.tlog_signing_key is not None
    assert len(settings.tlog_secret.get_secret_value()) >= 32
    key = SignerKey.parse(settings.tlog_signing_key.get_secret_value())
    assert key.name == "pantau.local/audit"
    assert "PRIVATE" not in str(settings.as_dict())
