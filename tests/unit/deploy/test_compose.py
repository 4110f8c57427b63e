"""docker-compose.yml cannot run here (no Docker engine), so it is checked as data: every
long-running service has a healthcheck, every mounted file exists, ports stay on loopback,
and Pantau's environment agrees with the settings and the other services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pantau.contract.settings import Settings

ROOT = Path(__file__).parents[3]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def _is_one_shot(name: str) -> bool:
    """A job that runs to completion: others wait for it to finish, not to be healthy."""
    waited_on = [
        dependency.get("condition")
        for service in SERVICES.values()
        for dep_name, dependency in (service.get("depends_on") or {}).items()
        if dep_name == name
    ]
    return SERVICES[name].get("restart") == "no" and "service_healthy" not in waited_on


def _pantau_services() -> list[str]:
    return [name for name, s in SERVICES.items() if "build" in s]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_long_running_service_has_a_healthcheck(name: str) -> None:
    if _is_one_shot(name):
        assert "healthcheck" not in SERVICES[name]
        return
    healthcheck = SERVICES[name].get("healthcheck", {})
    assert healthcheck.get("test"), f"{name} has no healthcheck"


def test_the_stack_has_the_official_images() -> None:
    images = {name: s.get("image", "") for name, s in SERVICES.items()}
    assert images["kafka"].startswith("apache/kafka:4.")
    assert images["redis"].startswith("redis:")
    assert images["prometheus"].startswith("prom/prometheus:")
    assert images["alertmanager"].startswith("prom/alertmanager:")
    assert images["grafana"].startswith("grafana/grafana:")
    assert _pantau_services(), "Pantau's own services are built from the Dockerfile"
    assert (ROOT / "Dockerfile").is_file()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_mounted_file_exists(name: str) -> None:
    for volume in SERVICES[name].get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (ROOT / source).exists(), f"{name} mounts missing {source}"
        else:
            assert source in COMPOSE["volumes"], f"{name} uses undeclared volume {source}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_published_ports_are_on_loopback(name: str) -> None:
    for port in SERVICES[name].get("ports", []):
        assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


@pytest.mark.parametrize("name", _pantau_services())
def test_pantau_environment_agrees_with_settings_and_services(name: str) -> None:
    environment = SERVICES[name]["environment"]
    settings = Settings(**{k.removeprefix("PANTAU_").lower(): v for k, v in environment.items()})

    kafka_host, kafka_port = settings.kafka_address
    kafka = SERVICES[kafka_host]["environment"]
    assert f"PLAINTEXT://{kafka_host}:{kafka_port}" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    assert f"PLAINTEXT://:{kafka_port}" in kafka["KAFKA_LISTENERS"]

    redis_host, redis_port = settings.redis_address
    assert redis_host in SERVICES and redis_port == 6379

    intake_ports = SERVICES.get("intake", {}).get("ports", [])
    assert f"127.0.0.1:{settings.intake_port}:{settings.intake_port}" in intake_ports

    assert f":{settings.prometheus_port}" in " ".join(SERVICES["prometheus"]["command"])
    assert f"127.0.0.1:{settings.prometheus_port}:9090" in SERVICES["prometheus"]["ports"]
    assert f":{settings.alertmanager_port}" in " ".join(SERVICES["alertmanager"]["command"])
    assert f"127.0.0.1:{settings.alertmanager_port}:9093" in SERVICES["alertmanager"]["ports"]


def test_prometheus_in_compose_sends_alerts_to_the_compose_alertmanager() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.compose.yml").read_text())
    targets = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert targets == ["alertmanager:9093"]


def test_prometheus_in_compose_scrapes_the_worker_where_it_listens() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.compose.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    environment = SERVICES["worker"]["environment"]
    port = environment["PANTAU_WORKER_WEB_PORT"]
    assert jobs["pantau-worker"]["static_configs"][0]["targets"] == [f"worker:{port}"]
    assert environment["PANTAU_WORKER_WEB_BIND"] == "0.0.0.0"


def test_grafana_provisions_the_prometheus_datasource_and_dashboards() -> None:
    provisioning = ROOT / "deploy/grafana/provisioning"
    datasource = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    provider = yaml.safe_load((provisioning / "dashboards/pantau.yml").read_text())
    mounted = {v.split(":")[1] for v in SERVICES["grafana"]["volumes"] if v.startswith(".")}
    assert provider["providers"][0]["options"]["path"] in mounted
    environment = SERVICES["grafana"]["environment"]
    assert environment["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
    assert "GF_SECURITY_ADMIN_PASSWORD" not in environment, "no password in the file"
