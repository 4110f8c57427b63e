#!/usr/bin/env bash
# Every check on a fresh machine: install, lint, type-check, then the whole test suite.
# The integration tests start their own real stack on offset ports and stop it after.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy .
# pytest exits non-zero on a failure and with 5 when it collected no test: both fail here.
.venv/bin/pytest "$@"
