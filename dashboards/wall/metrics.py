"""The wall's own metrics, declared in pantau/contract/metrics.py: pages connected, when
it last read the figures (PantauWallNotUpdating watches that) and when it last sent a
change to its pages, and the
worker's lag as it reads it from Kafka and Redis."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pantau.contract import metrics as declared
from pantau.instruments import gauge


class WallMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.clients = gauge(declared.WALL_CLIENTS, registry)
        self.last_refresh = gauge(declared.WALL_LAST_REFRESH, registry)
        self.last_update = gauge(declared.WALL_LAST_UPDATE, registry)
        self.events_behind = gauge(declared.WALL_EVENTS_BEHIND, registry)
        self.lag_read = gauge(declared.WALL_LAG_READ, registry)
