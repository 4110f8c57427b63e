#!/usr/bin/env bash
# The main job on a fresh machine: install, bring the local stack up on loopback, prove a
# round trip through every service, and say where to look.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
.venv/bin/pantau stack up
.venv/bin/pantau stack check

cat <<MESSAGE

Pantau's stack is up (state, data and logs in ${PANTAU_STATE_DIR:-.pantau}/):
  Kafka         ${PANTAU_KAFKA_BOOTSTRAP:-127.0.0.1:9092}   kcat -b ${PANTAU_KAFKA_BOOTSTRAP:-127.0.0.1:9092} -L
  Prometheus    http://127.0.0.1:${PANTAU_PROMETHEUS_PORT:-9090}
  Alertmanager  http://127.0.0.1:${PANTAU_ALERTMANAGER_PORT:-9093}
Feed it:  .venv/bin/pantau produce demo            (the demo city; --help for rate, spike, dry run)
Intake:   PANTAU_INTAKE_API_KEYS=... .venv/bin/pantau intake serve   (Open311 on :8080)
Status: .venv/bin/pantau stack status    Stop: .venv/bin/pantau stack down [--purge]
MESSAGE
