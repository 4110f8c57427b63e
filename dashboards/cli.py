"""`pantau dashboards build | push`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    rich_markup_mode=None, help="Grafana dashboards generated from code.", no_args_is_help=True
)


@app.command()
def build(
    command: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the JSON files (default: dashboards/json).")
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Write nothing; exit 1 when a file differs from the code.")
    ] = False,
) -> None:
    """Render every dashboard to JSON (the files Grafana provisions)."""
    from rich.console import Console

    from dashboards.catalog import JSON_DIR, render, stale_files
    from pantau.context import context_of

    console = Console(soft_wrap=True)
    out = out or JSON_DIR
    rendered = render(context_of(command).profile)
    stale = stale_files(rendered, out)
    if check:
        for name in stale:
            console.print(f"[red]stale[/red] {out / name}: run `pantau dashboards build`")
        raise typer.Exit(1 if stale else 0)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (out / name).write_text(text)
        console.print(f"{'wrote' if name in stale else 'unchanged'} {out / name}")


@app.command()
def push(
    command: typer.Context,
    url: Annotated[str, typer.Option(help="Grafana's address.")] = "http://127.0.0.1:3000",
    token: Annotated[
        str | None, typer.Option(envvar="PANTAU_GRAFANA_TOKEN", help="A service account token.")
    ] = None,
    user: Annotated[str, typer.Option(envvar="PANTAU_GRAFANA_USER")] = "admin",
    password: Annotated[
        str | None, typer.Option(envvar="PANTAU_GRAFANA_PASSWORD", help="Used without a token.")
    ] = None,
) -> None:
    """Publish the dashboards to a running Grafana (folder "Pantau", overwriting by uid)."""
    from rich.console import Console

    from dashboards.catalog import render
    from pantau.context import context_of

    console = Console(soft_wrap=True)
    if token is None and password is None:
        console.print("[red]give PANTAU_GRAFANA_TOKEN, or PANTAU_GRAFANA_PASSWORD[/red]")
        raise typer.Exit(2)
    # grafana-client loads only for this command.
    from grafana_client.api import GrafanaApi
    from grafana_client.client import GrafanaException

    from dashboards.push import push as push_dashboards

    credential: str | tuple[str, str] = token if token is not None else (user, password or "")
    api = GrafanaApi.from_url(url, credential=credential)
    try:
        written = push_dashboards(api, render(context_of(command).profile))
    except GrafanaException as error:
        console.print(f"[red]Grafana at {url} refused: {error}[/red]")
        raise typer.Exit(1) from error
    for uid in written:
        console.print(f"pushed {uid} to {url}/d/{uid}")
