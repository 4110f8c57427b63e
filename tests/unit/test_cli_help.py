"""`pantau --help` loads no role: each command imports its clients, web stack and contract
models when it runs. Checked by what a fresh interpreter has imported, not by a clock."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Not pydantic itself: typer coerces a subcommand's options with it.
HEAVY = (
    "faust", "aiokafka", "kafka", "redis", "fastapi", "uvicorn", "starlette", "httpx",
    "pydantic_settings", "msgspec", "yaml", "prometheus_client", "rich",
    "grafana_foundation_sdk", "quixstreams", "pantau.contract.events",
    "pantau.contract.settings", "pantau.contract.city", "pantau.state", "pantau.context",
)  # fmt: skip

# Runs the command as `python -m pantau` does, then names the heavy modules it loaded.
PROBE = """
import json, runpy, sys
sys.argv = ["pantau", *sys.argv[1:]]
try:
    runpy.run_module("pantau", run_name="__main__")
except SystemExit as done:
    code = done.code
heavy = json.loads(HEAVY)
loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def help_run(*args: str) -> tuple[str, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("HEAVY", repr(json.dumps(HEAVY))), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args", [("--help",), ("run", "--help"), ("run", "worker", "--help"), ("audit", "--help")]
)
def test_help_loads_no_role(args: tuple[str, ...]) -> None:
    text, probe = help_run(*args)
    assert probe["code"] == 0
    assert "Usage: pantau" in text
    assert probe["loaded"] == [], f"pantau {' '.join(args)} imported {probe['loaded']}"


def test_the_long_running_roles_are_under_run_and_the_tools_under_dev() -> None:
    run_help, _ = help_run("run", "--help")
    for role in ("worker", "detect", "wall", "intake", "alerts", "checkpoint"):
        assert f"  {role} " in run_help, role
    dev_help, _ = help_run("dev", "--help")
    for tool in ("bench", "evaluate-detection", "intake-openapi", "calendar"):
        assert f"  {tool} " in dev_help, tool
    top, _ = help_run("--help")
    assert "  bench " not in top and "  worker " not in top
