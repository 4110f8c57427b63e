"""Consumers: act on what the stream decided (alert notifier, archive, audit)."""
