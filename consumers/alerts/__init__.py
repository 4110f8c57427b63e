"""Operators' alerts: one lifecycle (firing, acknowledged, resolved) for the stream's spike
alerts and Prometheus' pipeline alerts, kept in Redis and sent to webhooks."""
