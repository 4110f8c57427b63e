"""Running Pantau: the local stack (Kafka, Redis, Prometheus, Alertmanager) and its configs."""

from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent
