"""docker-compose.yml cannot run here (no Docker engine), so it is checked as data: every
long-running service has a healthcheck and is restarted when it exits, every `pantau`
command line parses with the CLI's own parser, every mounted file exists, ports stay on
loopback, Prometheus scrapes each role where it listens, and Pantau's environment agrees
with the settings and the other services."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

# typer carries its own copy of click: its parser is the one `pantau` runs.
from typer._click.core import Command
from typer._click.exceptions import NoSuchOption, UsageError
from typer.core import TyperGroup

from pantau.cli import app as pantau_app
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


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_long_running_service_is_restarted_when_it_exits(name: str) -> None:
    expected = "no" if _is_one_shot(name) else "unless-stopped"
    assert SERVICES[name].get("restart") == expected, name


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


def _connected_services() -> list[str]:
    """Pantau's services that talk to Kafka and Redis (not the one-shots that make files)."""
    return [
        name
        for name in _pantau_services()
        if "PANTAU_KAFKA_BOOTSTRAP" in (SERVICES[name].get("environment") or {})
    ]


# Stand-ins in the shape a setting requires; any other secret is "s3cret".
STAND_INS = {"PANTAU_OPERATOR_KEYS": "piket=a-stand-in-operator-key"}


def _interpolated(environment: dict[str, str]) -> dict[str, Any]:
    """As compose fills ${VARIABLE:?message} from .env (here with a stand-in secret) and
    ${VARIABLE:-default} with its default when unset."""

    def fill(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return match.group(2)
        return STAND_INS.get(match.group(1), "s3cret")

    pattern = r"\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)?\}"
    return {k: re.sub(pattern, fill, v) for k, v in environment.items()}


def _mounted_at(name: str, path: str) -> bool:
    return any(
        path.startswith(volume.split(":")[1]) for volume in SERVICES[name].get("volumes", [])
    )


@pytest.mark.parametrize("name", _connected_services())
def test_pantau_environment_agrees_with_settings_and_services(name: str) -> None:
    environment = _interpolated(SERVICES[name]["environment"])
    settings = Settings(**{k.removeprefix("PANTAU_").lower(): v for k, v in environment.items()})

    kafka_host, kafka_port = settings.kafka_address
    broker = (ROOT / "deploy/kafka/server.compose.properties").read_text()
    assert f"advertised.listeners=SASL_SSL://{kafka_host}:{kafka_port}" in broker
    assert settings.kafka_security == "sasl_ssl", "compose's broker takes only SASL over TLS"
    assert settings.kafka_sasl_password is not None
    assert settings.kafka_ssl_cafile is not None and _mounted_at(
        name, str(settings.kafka_ssl_cafile)
    )

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


@pytest.mark.parametrize(
    ("job", "service", "port_variable", "bind"),
    [
        ("pantau-detector", "detector", "PANTAU_DETECTOR_PORT", "PANTAU_DETECTOR_BIND"),
        ("pantau-checkpointer", "audit-checkpoint", "PANTAU_CHECKPOINTER_PORT",
         "PANTAU_CHECKPOINTER_BIND"),
        ("pantau-wall", "wall", "PANTAU_WALL_PORT", None),
    ],
)  # fmt: skip
def test_prometheus_in_compose_scrapes_each_role_where_it_listens(
    job: str, service: str, port_variable: str, bind: str | None
) -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.compose.yml").read_text())
    jobs = {scrape["job_name"]: scrape for scrape in config["scrape_configs"]}
    environment = SERVICES[service]["environment"]
    port = environment[port_variable]
    assert jobs[job]["static_configs"][0]["targets"] == [f"{service}:{port}"]
    if bind is not None:
        assert environment[bind] == "0.0.0.0"
    else:  # the wall is told on its command line
        assert SERVICES[service]["command"][-2:] == ["--host", "0.0.0.0"]
    # Its healthcheck asks the same endpoint.
    assert f"localhost:{port}/health" in " ".join(SERVICES[service]["healthcheck"]["test"])


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


def test_redis_in_compose_has_pantaus_acl_user_and_no_default_user() -> None:
    command = " ".join(SERVICES["redis"]["command"])
    assert "--user default off resetpass resetkeys ~pantau* resetchannels &pantau*" in command
    assert "--user pantau on >${PANTAU_REDIS_PASSWORD" in command
    assert "~pantau* resetchannels &pantau* +@all -@dangerous +info" in command
    for name in _connected_services():
        url = SERVICES[name]["environment"]["PANTAU_REDIS_URL"]
        assert url.startswith("redis://pantau:${PANTAU_REDIS_PASSWORD:?")
        assert Settings(redis_url=_interpolated({"u": url})["u"]).redis_address == ("redis", 6379)


def test_prometheus_and_alertmanager_ask_for_basic_auth_in_compose() -> None:
    for name in ("prometheus", "alertmanager"):
        assert "--web.config.file=/etc/monitoring-auth/web.yml" in SERVICES[name]["command"]
        assert _mounted_at(name, "/etc/monitoring-auth/web.yml")
        assert (
            "$$(cat /etc/monitoring-auth/password)@localhost"
            in SERVICES[name]["healthcheck"]["test"][1]
        )
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.compose.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for job in ("prometheus", "alertmanager"):
        assert jobs[job]["basic_auth"]["password_file"] == "/etc/monitoring-auth/password"
    assert config["alerting"]["alertmanagers"][0]["basic_auth"]["username"] == "pantau"
    datasource = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"][0]
    assert datasource["basicAuth"] is True
    assert datasource["secureJsonData"]["basicAuthPassword"] == "${PANTAU_MONITORING_PASSWORD}"
    assert "PANTAU_MONITORING_PASSWORD" in SERVICES["grafana"]["environment"]


def _pantau_arguments() -> list[tuple[str, list[str]]]:
    """(where, arguments) of every `pantau` command line compose runs: each healthcheck that
    calls it, and the command of each service built from the Dockerfile (its entrypoint is
    `pantau`)."""
    found = []
    for name, service in SERVICES.items():
        test = (service.get("healthcheck") or {}).get("test") or []
        if test[:1] == ["CMD"] and test[1:2] == ["pantau"]:
            found.append((f"{name} healthcheck", test[2:]))
        elif test[:1] == ["CMD-SHELL"] and shlex.split(test[1])[:1] == ["pantau"]:
            words = shlex.split(test[1], posix=True)
            ends = [n for n, word in enumerate(words) if word in {"|", "||", "&&", ";", ">"}]
            found.append((f"{name} healthcheck", words[1 : ends[0] if ends else None]))
        if "build" in service and service.get("command"):
            found.append((f"{name} command", list(service["command"])))
    return found


def _parse(arguments: list[str]) -> Command:
    """Parse as `pantau` would, down to the command that would run, without running it."""
    command: Command = typer.main.get_command(pantau_app)
    context = command.make_context("pantau", list(arguments), resilient_parsing=False)
    while isinstance(command, TyperGroup):
        # A group keeps the subcommand's name and arguments apart, as Group.invoke reads them.
        remaining = [*context._protected_args, *context.args]
        name, found, rest = command.resolve_command(context, remaining)
        assert found is not None and name is not None, f"no command in {arguments}"
        command = found
        context = command.make_context(name, rest, parent=context, resilient_parsing=False)
    return command


def test_compose_runs_pantau_commands() -> None:
    where = [place for place, _ in _pantau_arguments()]
    assert "audit-checkpoint command" in where and "detector command" in where
    assert "worker command" in where


@pytest.mark.parametrize(
    ("where", "arguments"), _pantau_arguments(), ids=[w for w, _ in _pantau_arguments()]
)
def test_every_pantau_command_in_compose_parses(where: str, arguments: list[str]) -> None:
    try:
        command = _parse(arguments)
    except UsageError as error:
        pytest.fail(f"{where}: pantau {' '.join(arguments)}: {error.format_message()}")
    assert command.name == arguments[-1] or command.name in arguments


def test_a_renamed_option_would_fail_the_parse() -> None:
    with pytest.raises(NoSuchOption):
        _parse(["run", "checkpoint", "--no-such-option"])
