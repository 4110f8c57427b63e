#!/usr/bin/env bash
# The main job on a fresh machine: install, bring the local stack up on loopback, prove a
# round trip through every service, then run the stream worker and feed it the demo city
# until Ctrl-C. Extra arguments go to `pantau produce demo` (e.g. --spike living:30:4).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
pantau=.venv/bin/pantau
# Passwords for this machine (Redis admits no one without one), made once into .env.
$pantau stack secrets
$pantau stack up
$pantau stack check

state_dir=${PANTAU_STATE_DIR:-.pantau}
mkdir -p "$state_dir/logs"
# Each role runs under a supervisor that starts it again when it exits, with a line in
# its log ("... detector exited with status 1; restarting in 2 s"); stopping a
# supervisor stops its role.
supervised=()
supervise() {  # NAME LOG COMMAND...
  .venv/bin/python -m deploy.supervise "$1" "$state_dir/logs/$2" -- "${@:3}" &
  supervised+=($!)
}
trap 'kill "${supervised[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
supervise worker worker.log $pantau run worker --loglevel warn
supervise detector detector.log $pantau run detect
supervise notifier alerts.log $pantau run alerts
supervise wall wall.log $pantau run wall
supervise checkpointer audit.log $pantau run checkpoint
for _ in $(seq 60); do
  .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${PANTAU_WORKER_WEB_PORT:-6066}/health', timeout=2)" 2>/dev/null && break
  sleep 1
done

cat <<MESSAGE

Pantau is running (state, data and logs in $state_dir/):
  Live wall      http://127.0.0.1:${PANTAU_WALL_PORT:-8092}/   (English: /?lang=en; /metrics; log: $state_dir/logs/wall.log)
  Live figures   .venv/bin/pantau state            (the six dimensions, from Redis)
  Worker         http://127.0.0.1:${PANTAU_WORKER_WEB_PORT:-6066}/metrics   /health   log: $state_dir/logs/worker.log
  Detector       http://127.0.0.1:${PANTAU_DETECTOR_PORT:-8094}/metrics   /health   log: $state_dir/logs/detector.log
  Checkpointer   http://127.0.0.1:${PANTAU_CHECKPOINTER_PORT:-8095}/metrics   /health   log: $state_dir/logs/audit.log
  Restarts       every role above comes back when it exits; its log says when and why
  Prometheus     http://127.0.0.1:${PANTAU_PROMETHEUS_PORT:-9090}   e.g. pantau_complaints_open
  Alertmanager   http://127.0.0.1:${PANTAU_ALERTMANAGER_PORT:-9093}
  Alerts         .venv/bin/pantau alerts list | ack ID --comment TEXT (as operator piket, key in .env)   http://127.0.0.1:${PANTAU_ALERTS_PORT:-8091}/incidents
                 (spike detector log: $state_dir/logs/detector.log; webhooks: PANTAU_ALERT_WEBHOOKS)
  Kafka          ${PANTAU_KAFKA_BOOTSTRAP:-127.0.0.1:9092}   kcat -b ${PANTAU_KAFKA_BOOTSTRAP:-127.0.0.1:9092} -L
  Intake         .venv/bin/pantau run intake   (Open311 on :8080; writes take the key PANTAU_INTAKE_API_KEYS in .env;
                 each new complaint's answer carries its receipt: /requests/ID/receipt.json)
  Audit          .venv/bin/pantau audit replay | snapshot | verify   (reports in $state_dir/audit/;
                 hash-chain checkpoints every 500 events, log: $state_dir/logs/audit.log)
  Verifiable log http://127.0.0.1:${PANTAU_CHECKPOINTER_PORT:-8095}/checkpoint   its public key: .venv/bin/pantau audit public-key
                 (proofs: pantau audit prove EVENT_ID; check one: pantau audit check-proof FILE --key log.pub)
  Grafana        dashboards/json/*.json (built by pantau dashboards build; provisioned
                 by docker-compose.yml, or pantau dashboards push --url URL to a running one)
Feeding the demo city now: its last four weeks first (through the importer, so the spike
detector's baseline is real from the first minute; a second start adds nothing twice),
then live on the real clock (pantau produce demo --history-days 28 --rate 1500 $*).
Ctrl-C stops the feed, the worker,
the detector, the notifier, the wall and the checkpointer. Try a surge: bash deploy/start.sh --spike living:5:10:30
The stack keeps running: .venv/bin/pantau stack status | down [--purge]

MESSAGE
$pantau produce demo --history-days 28 --rate 1500 "$@"
