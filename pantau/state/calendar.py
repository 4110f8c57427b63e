"""The city's local day of an instant, cached: the folds ask for it once or twice per event."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

QUARTER_HOUR_MS = 15 * 60 * 1000
CACHE_LIMIT = 1 << 16  # entries per cache; a cache that fills up starts again empty

_DAYS: dict[ZoneInfo, dict[int, str]] = {}  # zone -> quarter hour -> ISO date


def local_day(ms: int, zone: ZoneInfo) -> str:
    """The ISO date in `zone` of an instant given in epoch milliseconds."""
    days = _DAYS.get(zone)
    if days is None:
        days = _DAYS[zone] = {}
    quarter = ms // QUARTER_HOUR_MS
    day = days.get(quarter)
    if day is None:
        if len(days) >= CACHE_LIMIT:
            days.clear()
        # Every zone's offset is a multiple of 15 minutes, so the day is the same within
        # a quarter hour: cache by quarter hour rather than convert each timestamp.
        instant = datetime.fromtimestamp(quarter * QUARTER_HOUR_MS / 1000, zone)
        day = days[quarter] = instant.date().isoformat()
    return day
