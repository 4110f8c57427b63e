"""Coverage-guided fuzzing of the decode path with atheris (libFuzzer for Python).

    .venv/bin/python -m tests.unit.fuzz.atheris_decode -runs=200000

Any exception other than a Rejection coming back is a crash: atheris stops, prints the
input and writes it to a crash-* file, which is then a regression case to keep. So is a
message on which the fast path and the contract's way disagree.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from pantau.contract.city import load_city_profile
    from pantau.contract.events import EventKind
    from pantau.state.decode import Rejection, decode

from tests.unit.fuzz.agreement import disagreement

PROFILE = load_city_profile("mojokerto")
KINDS = list(EventKind)


def one_input(data: bytes) -> None:
    if not data:
        return
    kind = KINDS[data[0] % len(KINDS)]
    outcome = decode(data[1:], kind, PROFILE)
    if not isinstance(outcome, Rejection) and outcome.kind != kind.value:
        raise AssertionError(f"a {outcome.kind} event accepted on the {kind} topic")
    difference = disagreement(data[1:], kind, PROFILE)
    if difference:
        raise AssertionError(difference)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
