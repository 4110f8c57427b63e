"""Runs the atheris harness for a fixed number of inputs, seeded with valid events, so
the coverage-guided search starts where the interesting branches are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pantau.contract.events import EventKind
from tests.factories import complaint_document, indicator_document, program_document

RUNS = 50_000


def test_coverage_guided_fuzzing_finds_no_crash(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = {
        EventKind.COMPLAINT: complaint_document(),
        EventKind.PROGRAM: program_document(),
        EventKind.INDICATOR: indicator_document(),
    }
    kinds = list(EventKind)
    for kind, document in seeds.items():
        seed = bytes([kinds.index(kind)]) + json.dumps(document).encode()
        (corpus / kind.value).write_bytes(seed)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.unit.fuzz.atheris_decode",
            f"-runs={RUNS}",
            f"-artifact_prefix={tmp_path}/",
            "-seed=20261128",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {RUNS} runs" in result.stderr
    assert not list(tmp_path.glob("crash-*"))
