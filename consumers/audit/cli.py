"""`pantau audit replay | snapshot | verify | export | prove | consistency | check-proof |
keygen`, and `pantau run checkpoint`."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from pantau.contract.keys import CHECKPOINTER_ALIVE_SECONDS as ALIVE_SECONDS

if TYPE_CHECKING:
    from rich.console import Console

    from pantau.contract.city import CityProfile
    from pantau.tlog.keys import VerifierKey
    from pantau.tlog.prooffile import Checked
    from pantau.tlog.receipt import ReceiptFile

app = typer.Typer(
    rich_markup_mode=None,
    help="Replay the history, prove the wall's figures, detect tampering.",
    no_args_is_help=True,
)
T = TypeVar("T")


def _console() -> Console:
    from rich.console import Console

    return Console(soft_wrap=True)


def _run(job: Coroutine[Any, Any, T]) -> T:
    """Run an audit job; a log that cannot be read is an error the operator can act on."""
    import asyncio

    from pantau.logreader import LogReadError

    try:
        return asyncio.run(job)
    except LogReadError as error:
        _console().print(f"[red]cannot read the log:[/red] {error}")
        raise typer.Exit(2) from None


def _moment(text: str | None, option: str, profile: CityProfile) -> datetime | None:
    """ISO 8601; without a zone it is the city's local time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=option) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=profile.timezone)


@app.command()
def replay(
    command: typer.Context,
    since: Annotated[
        str | None, typer.Option("--from", help="Log time to start (default: the log's start).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Log time to stop (default: now).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The wall's date for 'today' figures (YYYY-MM-DD)."),
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            help="Replay to a saved snapshot's offsets and compare with it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    into: Annotated[
        str | None,
        typer.Option(
            help="Also write the rebuilt state to Redis under this prefix (never the live one)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Report folder (default: STATE_DIR/audit/replay-TIME).")
    ] = None,
) -> None:
    """Rebuild the state from the log and report what the wall would have shown; compared
    with the live state (whole log to now) or a snapshot. Exit 1 when they differ."""
    from datetime import UTC, date

    from rich.progress import Progress
    from rich.table import Table

    from consumers.audit.namespace import LivePrefixError, write_namespace
    from consumers.audit.report import write_reports
    from consumers.audit.run import audit_replay
    from pantau.context import context_of

    context = context_of(command)
    settings, profile, console = context.settings, context.profile, _console()
    start, stop = _moment(since, "--from", profile), _moment(until, "--to", profile)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise typer.BadParameter(
            f"{as_of!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from None
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("replaying the log", total=None)
        report, replayed = _run(
            audit_replay(
                context,
                since=start,
                until=stop,
                as_of=day,
                snapshot=snapshot,
                progress=lambda n: bar.advance(task, n),
            )
        )
    if into is not None:
        offsets = {
            shard: stop_at - 1 for shard, stop_at in replayed.window.stop.items() if stop_at > 0
        }
        try:
            written = write_namespace(
                context.redis, into, settings.redis_prefix, replayed.state, offsets
            )
        except LivePrefixError as error:
            raise typer.BadParameter(str(error), param_hint="--into") from None
        console.print(
            f"rebuilt state written under {into}: ({written} keys): "
            f"PANTAU_REDIS_PREFIX={into} pantau run wall"
        )
    folder = (
        out or Path(settings.state_dir) / "audit" / f"replay-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    )
    written_files = write_reports(report, folder)
    summary = Table("events", "rejected", "seconds", "events/s", "compared with", "verdict")
    summary.add_row(
        str(report.events),
        str(report.rejected),
        f"{report.seconds:.2f}",
        f"{report.rate:,.0f}",
        report.compared_with or "-",
        report.verdict,
    )
    console.print(summary)
    for row in report.mismatches[:20]:
        console.print(f"[red]differs[/red] {row.name}: replayed {row.replayed}, shown {row.shown}")
    for difference in report.differences[:20]:
        console.print(f"[red]differs[/red] {difference.partition} {difference.key}")
    console.print("report: " + ", ".join(str(p) for p in written_files))
    raise typer.Exit(1 if report.verdict == "differ" else 0)


@app.command()
def snapshot(
    command: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Folder (default: STATE_DIR/audit/snapshots).")
    ] = None,
) -> None:
    """Save the live figures with the offsets they stand on."""
    from consumers.audit.snapshot import save, take_snapshot
    from pantau.context import context_of

    context = context_of(command)
    taken = take_snapshot(context.redis, context.keys, context.profile)
    path = save(taken, out or Path(context.settings.state_dir) / "audit" / "snapshots")
    _console().print(
        f"snapshot of {len(taken.figures)} figures at {len(taken.offsets)} partition "
        f"offsets: {path}\nprove it later: pantau audit replay --snapshot {path}"
    )


def checkpoint(
    command: typer.Context,
    every: Annotated[int, typer.Option(help="Events per checkpoint.", min=1)] = 500,
    interval: Annotated[
        float, typer.Option(help="Seconds before a partial checkpoint.", min=0.1)
    ] = 30.0,
    once: Annotated[
        bool, typer.Option(help="Checkpoint up to the log's end now, then exit.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            help=f"Only report whether a checkpointer ran in the last {ALIVE_SECONDS} s "
            "(exit 1 if none did)."
        ),
    ] = False,
    port: Annotated[int | None, typer.Option(help="Default: PANTAU_CHECKPOINTER_PORT.")] = None,
) -> None:
    """Extend each partition's hash chain and the log's Merkle tree; record checkpoints in
    pantau.audit and Redis; serve /metrics, /health and the log (/checkpoint, /tile/...,
    POST /add-cosignature) on PANTAU_CHECKPOINTER_PORT (not with --once)."""
    import logging

    from prometheus_client import CollectorRegistry, ProcessCollector

    from consumers.audit.checkpoint import Checkpointer, is_alive
    from consumers.audit.checkpoint_metrics import CheckpointerMetrics
    from consumers.audit.log_routes import log_routes
    from pantau.context import context_of
    from pantau.health import HealthServer, Heartbeat

    context = context_of(command).updated(checkpointer_port=port)
    settings = context.settings
    if check:
        alive = is_alive(context.redis, context.keys)
        typer.echo("running" if alive else f"no checkpointer ran in the last {ALIVE_SECONDS} s")
        raise typer.Exit(0 if alive else 1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if once:
        written = Checkpointer(settings, context.redis, every, interval).run(until_caught_up=True)
        typer.echo(f"{written} checkpoints recorded")
        return
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    metrics = CheckpointerMetrics(registry)
    # A round polls for at most half a second; a minute without one is a hung loop.
    heartbeat = Heartbeat(stale_after=60.0)
    host, listen = settings.checkpointer_bind, settings.checkpointer_port
    witnessing = context.profile.witnessing
    routes = log_routes(settings, context.redis, witnessing, metrics.cosigned)
    if routes is not None:
        metrics.listed([w.name for w in routes.witnesses])
    HealthServer(registry, heartbeat, host, listen, routes).start()
    Checkpointer(settings, context.redis, every, interval, metrics, heartbeat).run()


@app.command()
def verify(
    command: typer.Context,
    log: Annotated[
        Path | None,
        typer.Option(
            help="Verify an exported copy of the log instead of Kafka.", exists=True, dir_okay=False
        ),
    ] = None,
) -> None:
    """Recompute the chains and hold them against the checkpoints; with the log's secret
    and key set, rebuild the Merkle tree too and hold it against its recorded batches and
    signed checkpoints. Exit 1 on any finding."""
    from rich.progress import Progress
    from rich.table import Table

    from consumers.audit.run import audit_verify
    from consumers.audit.tree_run import audit_tree, log_verifier
    from pantau.context import context_of

    context, console = context_of(command), _console()
    settings = context.settings
    tree_findings: list[str] = []
    if settings.tlog_secret is not None and settings.tlog_signing_key is not None:
        tree = _run(audit_tree(settings, [log_verifier(settings)], log))
        console.print(f"tree: {tree.size} leaves rebuilt from the log")
        tree_findings = tree.findings
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("reading the log", total=None)
        result = _run(audit_verify(context, log, lambda n: bar.advance(task, n)))
    table = Table("partition", "events", "vouched for", "checkpoints")
    for shard, report in result.shards.items():
        table.add_row(shard, str(report.events), str(report.covered), str(report.checkpoints))
    console.print(table)
    for finding in result.findings:
        where = f"{finding.shard} offset {finding.offset}"
        event = f" ({finding.event_id})" if finding.event_id else ""
        console.print(f"[red]{finding.kind}[/red] {where}{event}: {finding.detail}")
    for text in tree_findings:
        console.print(f"[red]tree[/red] {text}")
    found = len(result.findings) + len(tree_findings)
    console.print("intact" if not found else f"{found} findings")
    raise typer.Exit(0 if not found else 1)


@app.command()
def export(
    command: typer.Context,
    path: Annotated[Path, typer.Argument(help="JSON lines file to write.", dir_okay=False)],
) -> None:
    """Copy the event log to a file (one message per line, with partition and offset)."""
    from rich.progress import Progress

    from consumers.audit.export import export_log
    from pantau.context import context_of

    settings, console = context_of(command).settings, _console()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("exporting the log", total=None)
        count = _run(export_log(settings, path, lambda n: bar.advance(task, n)))
    console.print(f"{count} messages written to {path}")


def _verifier_key(text: str, option: str) -> VerifierKey:
    """A verifier key given as its text or as a file holding it."""
    from pantau.tlog.keys import KeyFormatError, VerifierKey

    try:
        given = Path(text).read_text() if Path(text).is_file() else text
        return VerifierKey.parse(given)
    except (KeyFormatError, OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(f"not a verifier key: {error}", param_hint=option) from None


@app.command("check-proof")
def check_proof(
    file: Annotated[
        Path, typer.Argument(help="The proof file or receipt (JSON).", exists=True, dir_okay=False)
    ],
    key: Annotated[
        str, typer.Option(help="The log's verifier key (name+id+key), or a file holding it.")
    ],
    witness: Annotated[
        list[str] | None,
        typer.Option(help="A witness's verifier key (or its file) that must have cosigned."),
    ] = None,
    salt: Annotated[
        str | None, typer.Option(help="A receipt's salt (hex): recompute your own leaf.")
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="With --salt: the text you submitted, exactly.")
    ] = None,
) -> None:
    """Check an inclusion or consistency proof, or a citizen's receipt, offline, with only
    the log's public key. Exit 0 if it holds, 1 if it does not, 2 if the file or a key
    cannot be read."""
    from pantau.tlog.checkpoint import CheckpointError
    from pantau.tlog.keys import KeyFormatError
    from pantau.tlog.note import NoteError
    from pantau.tlog.prooffile import ProofFileError, check_proof_file
    from pantau.tlog.receipt import check_receipt, read_receipt
    from pantau.tlog.verify import ProofError

    log_key = _verifier_key(key, "--key")
    witnesses = [_verifier_key(w, "--witness") for w in witness or []]
    own = _own_text(salt, description)
    data = file.read_bytes()
    try:
        receipt = read_receipt(data)
        if receipt is not None:
            checked = check_receipt(receipt, log_key, witnesses, own)
        elif own is not None:
            raise typer.BadParameter("only a receipt is checked with a salt", param_hint="--salt")
        else:
            checked = [check_proof_file(data, log_key, witnesses)]
    except KeyFormatError as error:
        raise typer.BadParameter(str(error), param_hint="--key / --witness") from None
    except ProofFileError as error:
        typer.echo(f"{file}: {error}", err=True)
        raise typer.Exit(2) from None
    except (NoteError, CheckpointError, ProofError) as error:
        if receipt is not None and own is not None and _holds(receipt, log_key, witnesses):
            # Said plainly: the log is sound, it is the citizen's text or salt that differs.
            typer.echo(
                f"{file}: the receipt's proofs hold, but your text and salt do not give the "
                "recorded leaf: the text differs from what was submitted (every character "
                "counts), or the salt is another complaint's"
            )
        else:
            typer.echo(f"{file}: does not verify: {error}")
        raise typer.Exit(1) from None
    for one in checked:
        _say_checked(one)
    if own is not None:
        typer.echo("your text and salt give the recorded leaf")


def _holds(receipt: ReceiptFile, log_key: VerifierKey, witnesses: list[VerifierKey]) -> bool:
    from pantau.tlog.checkpoint import CheckpointError
    from pantau.tlog.note import NoteError
    from pantau.tlog.receipt import check_receipt
    from pantau.tlog.verify import ProofError

    try:
        check_receipt(receipt, log_key, witnesses)
    except (NoteError, CheckpointError, ProofError):
        return False
    return True


def _own_text(salt: str | None, description: str | None) -> tuple[bytes, str] | None:
    if salt is None and description is None:
        return None
    if salt is None or description is None:
        raise typer.BadParameter("give both --salt and --description", param_hint="--salt")
    try:
        return bytes.fromhex(salt), description
    except ValueError:
        raise typer.BadParameter("not hexadecimal", param_hint="--salt") from None


def _say_checked(checked: Checked) -> None:
    from datetime import UTC

    typer.echo(f"verified: {checked.statement} of {checked.checkpoint.origin}, signed by its key")
    for name, at in checked.cosigned:
        typer.echo(f"cosigned by {name} at {datetime.fromtimestamp(at, UTC):%Y-%m-%d %H:%M:%S} UTC")


@app.command()
def prove(
    command: typer.Context,
    event_id: Annotated[str | None, typer.Argument(help="Prove every leaf of this event.")] = None,
    topic: Annotated[str | None, typer.Option(help="Or the record at a place: topic,")] = None,
    partition: Annotated[int | None, typer.Option(help="partition")] = None,
    offset: Annotated[int | None, typer.Option(help="and offset.")] = None,
    out: Annotated[Path, typer.Option(help="Folder the proof files are written to.")] = Path(),
) -> None:
    """Write an inclusion proof file per leaf of an event (or of one record), against the
    log's latest checkpoint (the latest witnessed one when the profile lists witnesses).
    Exit 1 if nothing was proven."""
    import json

    from consumers.audit.prove import inclusion, locate
    from pantau.context import context_of
    from pantau.contract.topics import Partition
    from pantau.tlog.proving import ProveError, proof_checkpoint

    place = None
    if topic is not None and partition is not None and offset is not None:
        place = (Partition(topic, partition).label, offset)
    elif event_id is None or topic is not None or partition is not None or offset is not None:
        raise typer.BadParameter("give an EVENT_ID, or --topic, --partition and --offset")
    context = context_of(command)
    witnessed = context.profile.witnessing.quorum > 0
    try:
        note = proof_checkpoint(context.settings, context.redis, witnessed)
        found = _run(locate(context.settings, event_id, place))
        if not found:
            raise ProveError("no leaf of the tree holds it (yet)")
        out.mkdir(parents=True, exist_ok=True)
        for located in found:
            path = out / f"inclusion-{located.index}.json"
            path.write_text(json.dumps(inclusion(context.settings, note, located), indent=1))
            label, at = located.place
            typer.echo(f"{path}: leaf {located.index} ({label} offset {at})")
    except ProveError as error:
        typer.echo(f"cannot prove it: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def consistency(
    command: typer.Context,
    old: Annotated[int, typer.Argument(help="The older checkpoint's tree size.")],
    new: Annotated[
        int | None, typer.Argument(help="The newer one's (default: the latest).")
    ] = None,
    out: Annotated[Path, typer.Option(help="The proof file.")] = Path("consistency.json"),
) -> None:
    """Write a consistency proof file between two checkpoints the log signed (each named by
    its tree size, as the audit topic records them). Exit 1 if either is unknown."""
    import json

    from consumers.audit.prove import consistency as consistency_of
    from consumers.audit.prove import signed_note_of_size
    from pantau.context import context_of
    from pantau.tlog.proving import ProveError

    settings = context_of(command).settings
    try:
        old_note = _run(signed_note_of_size(settings, old))
        note = _run(signed_note_of_size(settings, new))
        out.write_text(json.dumps(consistency_of(settings, old_note, note), indent=1))
    except ProveError as error:
        typer.echo(f"cannot prove it: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{out}: from size {old} to the checkpoint of {note.splitlines()[1]} leaves")


@app.command()
def witness(
    key: Annotated[
        Path, typer.Option(help="The witness's own signer key file (keygen --witness).")
    ],
    log: Annotated[str, typer.Option(help="The log's URL (serving /checkpoint and /tile/).")],
    log_key: Annotated[str, typer.Option(help="The log's verifier key, or a file holding it.")],
    state: Annotated[
        Path, typer.Option(help="The witness's memory: the last checkpoint it cosigned.")
    ] = Path("witness-state.json"),
    every: Annotated[
        float, typer.Option(help="Seconds between rounds; 0: one round, then exit.", min=0)
    ] = 0,
) -> None:
    """Witness the log: co-sign its latest checkpoint only if it extends the last one
    cosigned here (checked with a consistency proof from its tiles), and post the
    cosignature back. Exit 1 on a refusal (a split view or a rollback), 2 if the log
    cannot be reached."""
    import time

    from consumers.audit.witness import Witness, WitnessError
    from pantau.tlog.keys import KeyFormatError, SignerKey

    try:
        signer = SignerKey.parse(key.read_text().strip())
    except (KeyFormatError, OSError) as error:
        raise typer.BadParameter(f"not a signer key: {error}", param_hint="--key") from None
    watcher = Witness(signer, _verifier_key(log_key, "--log-key"), log, state)
    while True:
        try:
            outcome = watcher.round()
        except WitnessError as error:
            typer.echo(f"cannot witness: {error}", err=True)
            if not every:
                raise typer.Exit(2) from None
        else:
            typer.echo(outcome.message)
            if outcome.refused:
                raise typer.Exit(1)
        if not every:
            return
        time.sleep(every)


@app.command("public-key")
def public_key(command: typer.Context) -> None:
    """Print the verifier key of this log's signing key (PANTAU_TLOG_SIGNING_KEY): what
    the city publishes so that anyone can check its proofs and receipts."""
    from pantau.context import context_of
    from pantau.tlog.keys import KeyFormatError, SignerKey

    key = context_of(command).settings.tlog_signing_key
    if key is None:
        typer.echo("PANTAU_TLOG_SIGNING_KEY is not set: this log signs nothing", err=True)
        raise typer.Exit(2)
    try:
        typer.echo(SignerKey.parse(key.get_secret_value()).verifier().encode())
    except KeyFormatError as error:
        typer.echo(f"PANTAU_TLOG_SIGNING_KEY: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def keygen(
    name: Annotated[
        str, typer.Argument(help="The key's name: for the log, its origin (e.g. city.example/log).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Write OUT.key and OUT.pub (default: the name, / and : made _)."),
    ] = None,
    witness: Annotated[
        bool, typer.Option(help="A witness's cosigning key (cosignature/v1) instead of a log's.")
    ] = False,
) -> None:
    """Write a new Ed25519 key pair in the signed-note text forms: OUT.key (the signer key,
    readable by its owner only) and OUT.pub (the verifier key to hand out)."""
    import os

    from pantau.tlog.keys import COSIGNATURE_V1, ED25519, KeyFormatError, generate_key

    try:
        key = generate_key(name, COSIGNATURE_V1 if witness else ED25519)
    except KeyFormatError as error:
        raise typer.BadParameter(str(error), param_hint="NAME") from None
    base = out or Path(name.replace("/", "_").replace(":", "_"))
    private, public = base.with_name(base.name + ".key"), base.with_name(base.name + ".pub")
    for path in (private, public):
        if path.exists():
            raise typer.BadParameter(f"{path} exists: keys are not overwritten", param_hint="--out")
    # Created owner-only from the first byte, never readable by others even briefly.
    handle = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w") as file:
        file.write(key.encode() + "\n")
    public.write_text(key.verifier().encode() + "\n")
    typer.echo(f"wrote {private} (keep it secret) and {public}:\n{key.verifier().encode()}")
