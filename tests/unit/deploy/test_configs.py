"""The stack's configuration files, checked by the services' own tools where they exist
(promtool, amtool are installed with Prometheus and Alertmanager)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deploy import DEPLOY_DIR
from deploy.stack.services import Alertmanager, KafkaBroker, Prometheus, StatePaths
from tests.conftest import stack_settings


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which(command[0])
    assert tool, f"{command[0]} is not installed; deploy/install.sh installs it"
    return subprocess.run([tool, *command[1:]], capture_output=True, text=True, check=False)


def test_local_prometheus_config_passes_promtool(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path, port_base=0)
    prometheus = Prometheus(settings, StatePaths(tmp_path), report=lambda _: None)
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump(prometheus.config()))
    result = _run("promtool", "check", "config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("rules", sorted((DEPLOY_DIR / "prometheus" / "rules").glob("*.yml")))
def test_rule_files_pass_promtool(rules: Path) -> None:
    result = _run("promtool", "check", "rules", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("tests", sorted((DEPLOY_DIR / "prometheus" / "tests").glob("*.yml")))
def test_rule_unit_tests_pass_promtool(tests: Path) -> None:
    result = _run("promtool", "test", "rules", str(tests))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_alertmanager_configs_pass_amtool(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path, port_base=0)
    local = tmp_path / "alertmanager.yml"
    local.write_text(
        Alertmanager(settings, StatePaths(tmp_path), report=lambda _: None).render_config()
    )
    assert "http://127.0.0.1:8091/alertmanager" in local.read_text()
    for config in (local, DEPLOY_DIR / "alertmanager" / "alertmanager.compose.yml"):
        result = _run("amtool", "check-config", str(config))
        assert result.returncode == 0, result.stdout + result.stderr


def test_kafka_config_renders_loopback_listeners_from_settings(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path, port_base=30000)
    broker = KafkaBroker(settings, StatePaths(tmp_path), report=lambda _: None)
    rendered = broker.render_config(tmp_path).read_text()
    assert "listeners=PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39095" in rendered
    assert f"log.dirs={tmp_path / 'log'}" in rendered
    assert "auto.create.topics.enable=false" in rendered
    assert "${" not in rendered


def test_redis_policy_is_aof_and_noeviction_on_loopback() -> None:
    lines = (DEPLOY_DIR / "redis" / "redis.conf").read_text().splitlines()
    directives = dict(line.split(None, 1) for line in lines if line and not line.startswith("#"))
    assert directives["appendonly"] == "yes"
    assert directives["maxmemory-policy"] == "noeviction"
    assert directives["bind"].split()[0] == "127.0.0.1"
