#!/usr/bin/env bash
# Installs Pantau on a fresh Debian machine: a virtual environment with Pantau and its
# development tools, then every program the local stack needs (Debian packages through
# apt-get, the Kafka broker's jars through mvn). Safe to run again: it skips what exists.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Pantau needs Python 3.11 or newer; $python is $("$python" --version 2>&1)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/pantau stack install
