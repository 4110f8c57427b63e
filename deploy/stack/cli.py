"""`pantau stack ...`: the local stack from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from deploy.stack.manager import ServiceStatus
    from pantau.contract.settings import Settings

app = typer.Typer(
    rich_markup_mode=None,
    help="The local stack: Kafka (KRaft), Redis, Prometheus, Alertmanager.",
    no_args_is_help=True,
)


def _console() -> Console:
    from rich.console import Console

    return Console()


def _settings(command: typer.Context) -> Settings:
    from pantau.context import context_of

    return context_of(command).settings


@app.command()
def install(command: typer.Context) -> None:
    """Install the stack's programs and the Kafka jars, start nothing."""
    from deploy.stack.install import InstallError
    from deploy.stack.manager import Stack

    console = _console()
    try:
        with console.status("installing the stack's programs"):
            Stack(_settings(command), report=lambda message: console.log(message)).install()
    except InstallError as error:
        console.print(f"[red]install failed:[/] {error}")
        raise typer.Exit(1) from None
    console.print("everything the stack needs is installed")


@app.command(name="secrets")
def make_secrets() -> None:
    """Write this machine's passwords into .env where missing (Redis, Kafka, monitoring,
    Grafana, the intake's key); values already there are kept."""
    from deploy.stack.secrets import ENV_FILE, ensure_env_file

    console = _console()
    added = ensure_env_file()
    console.print(f"{ENV_FILE}: added {', '.join(added)}" if added else f"{ENV_FILE}: complete")


@app.command()
def certs(
    out: Annotated[Path, typer.Option(help="Folder for the broker's keystore and the CA.")],
    ca_out: Annotated[Path, typer.Option(help="Folder for a copy of the CA alone.")],
    host: Annotated[list[str], typer.Option(help="A name clients dial; repeat for more.")],
) -> None:
    """A CA and a broker certificate for Kafka's TLS (compose's one-shot `certs`)."""
    import shutil

    from deploy.stack.tls import ensure_broker_tls

    console = _console()
    # The broker's container runs as another user than this one, and `out` is a volume
    # only the broker mounts: its key is made readable to that user.
    files = ensure_broker_tls(out, tuple(host), keystore_mode=0o644)
    ca_out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(files.ca, ca_out / "ca.pem")
    console.print(f"broker keystore {files.keystore}; clients trust {ca_out / 'ca.pem'}")


@app.command(name="web-auth")
def web_auth(
    command: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder for web.yml and the password file.")],
) -> None:
    """Basic auth for Prometheus and Alertmanager from PANTAU_MONITORING_PASSWORD, and the
    notifier's secret Alertmanager presents (PANTAU_ALERTMANAGER_WEBHOOK_SECRET)."""
    from deploy.stack.web_auth import write_web_auth

    console = _console()
    password = _settings(command).monitoring_password
    if password is None:
        console.print("[red]PANTAU_MONITORING_PASSWORD is not set[/] (pantau stack secrets)")
        raise typer.Exit(2)
    settings = _settings(command)
    notifier = settings.alertmanager_webhook_secret
    if notifier is None:
        console.print("[red]PANTAU_ALERTMANAGER_WEBHOOK_SECRET is not set[/] (stack secrets)")
        raise typer.Exit(2)
    written = write_web_auth(out, password.get_secret_value(), notifier.get_secret_value())
    console.print(f"wrote {written}")


@app.command()
def up(command: typer.Context) -> None:
    """Install what is missing, start every service on loopback, create the topics."""
    from deploy.stack.errors import StackError
    from deploy.stack.install import InstallError
    from deploy.stack.manager import Stack

    console = _console()
    stack = Stack(_settings(command), report=lambda message: console.log(message))
    try:
        with console.status("bringing the stack up"):
            statuses = stack.up()
    except StackError as error:
        console.print(f"[red]{error.service} failed:[/] {error.reason}")
        if error.log_tail:
            console.print(f"[dim]last lines of its log:[/]\n{error.log_tail}", markup=False)
        raise typer.Exit(1) from None
    except InstallError as error:
        console.print(f"[red]install failed:[/] {error}")
        raise typer.Exit(1) from None
    _print_status(statuses, stack.paths.root.as_posix())


@app.command()
def status(command: typer.Context) -> None:
    """Each service's address, pid and health; exits 1 unless all are healthy."""
    from deploy.stack.manager import Stack

    stack = Stack(_settings(command))
    statuses = stack.status()
    _print_status(statuses, stack.paths.root.as_posix())
    if not all(s.state == "healthy" for s in statuses):
        raise typer.Exit(1)


@app.command()
def down(
    command: typer.Context,
    purge: Annotated[bool, typer.Option(help="Also remove data, logs and pid files.")] = False,
) -> None:
    """Stop only the processes `up` started; data stays unless --purge."""
    from deploy.stack.manager import Stack

    console = _console()
    stack = Stack(_settings(command))
    stopped = stack.down(purge=purge)
    console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    if purge:
        console.print(f"removed {stack.paths.root}")


@app.command()
def topics(command: typer.Context) -> None:
    """Create Pantau's topics on the configured brokers (for a Kafka this stack did not start)."""
    from deploy.stack.topics import ensure_topics
    from pantau.contract.connections import kafka_options

    console = _console()
    settings = _settings(command)
    created = ensure_topics(settings.kafka_bootstrap, options=kafka_options(settings))
    console.print(f"created: {', '.join(created) or 'none, all exist'}")


@app.command()
def check(command: typer.Context) -> None:
    """A real round trip through Kafka, Redis, Prometheus and Alertmanager."""
    from rich.table import Table

    from deploy.stack.check import run_checks

    console = _console()
    results = run_checks(_settings(command))
    table = Table("check", "result", "detail", "seconds")
    for result in results:
        verdict = "[green]ok[/]" if result.ok else "[red]FAILED[/]"
        table.add_row(result.name, verdict, result.detail, f"{result.seconds:.2f}")
    console.print(table)
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def _print_status(statuses: list[ServiceStatus], state_dir: str) -> None:
    from rich.table import Table

    console = _console()
    table = Table("service", "address", "pid", "state", title=f"state folder: {state_dir}")
    colours = {"healthy": "green", "stopped": "dim", "foreign": "yellow", "unhealthy": "red"}
    for s in statuses:
        colour = colours[s.state]
        table.add_row(s.name, s.address, str(s.pid or "-"), f"[{colour}]{s.state}[/]")
    console.print(table)
