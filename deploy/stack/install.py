"""Installing what the local stack needs: Debian packages with apt-get, Kafka's jars with mvn."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from deploy import DEPLOY_DIR

KAFKA_POM = DEPLOY_DIR / "kafka" / "pom.xml"

Report = Callable[[str], None]


class InstallError(RuntimeError):
    """Something the stack needs could not be installed; the message says what to do."""


def ensure_command(command: str, package: str, report: Report) -> str:
    """The path of `command`, installing Debian's `package` first when it is missing."""
    found = shutil.which(command)
    if found:
        return found
    apt_install([package], report)
    found = shutil.which(command)
    if not found:
        raise InstallError(f"{package} was installed but {command} is not on PATH")
    return found


def apt_install(packages: list[str], report: Report) -> None:
    if os.geteuid() != 0:
        raise InstallError(
            f"missing {' '.join(packages)}; install as root: "
            f"apt-get install -y --no-install-recommends {' '.join(packages)}"
        )
    report(f"installing {', '.join(packages)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if first.returncode == 0:
        return
    # A fresh machine may have no package lists yet.
    report("refreshing the package lists (apt-get update)")
    subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if second.returncode != 0:
        tail = "\n".join(second.stderr.strip().splitlines()[-5:])
        raise InstallError(f"apt-get install {' '.join(packages)} failed:\n{tail}")


def kafka_jar_cache() -> Path:
    """Where the broker's jars live, keyed by the pom's content so an edit re-resolves.

    It sits outside the state folder: `down --purge` removes data, not downloads.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    digest = hashlib.sha256(KAFKA_POM.read_bytes()).hexdigest()[:16]
    return base / "pantau" / f"kafka-{digest}"


def ensure_kafka_jars(report: Report) -> Path:
    """The folder of the broker's jars, resolved with mvn on first use only."""
    lib = kafka_jar_cache() / "lib"
    complete = lib.parent / "complete"
    if complete.exists():
        return lib
    ensure_command("java", "openjdk-17-jre-headless", report)
    mvn = ensure_command("mvn", "maven", report)
    report("resolving the Kafka broker's jars with mvn (first run only)")
    lib.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(KAFKA_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise InstallError(f"mvn could not resolve the Kafka jars:\n{tail}")
    complete.touch()
    return lib
