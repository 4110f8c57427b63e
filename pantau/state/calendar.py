"""Event time as the folds need it: epoch milliseconds, and the city's local day.

Both are asked for once or twice per event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pydantic_core import TzInfo

QUARTER_HOUR_MS = 15 * 60 * 1000
CACHE_LIMIT = 1 << 16  # entries per cache; a cache that fills up starts again empty

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Zones with one offset at every instant: pydantic's, and what other decoders give.
_FIXED_ZONES = frozenset({TzInfo, timezone})


def epoch_ms(at: datetime) -> int:
    """Exactly int(at.timestamp() * 1000), float rounding included, for an aware datetime.

    timestamp() asks the zone for its offset through the datetime, the slowest part of
    it; a fixed zone gives it directly. The microseconds since the epoch are the same
    exact integer either way, divided by 10**6 the same way (a correctly rounded true
    division), so the result is the same: the folds' step order and days depend on it.
    """
    zone = at.tzinfo
    if type(zone) not in _FIXED_ZONES:
        return int(at.timestamp() * 1000)
    offset: timedelta = zone.utcoffset(None)  # type: ignore[union-attr,assignment]
    seconds = (at.toordinal() - _EPOCH_ORDINAL) * 86400 + at.hour * 3600 + at.minute * 60
    seconds += at.second - offset.days * 86400 - offset.seconds
    micros = seconds * 1_000_000 + at.microsecond - offset.microseconds
    return int(micros / 1_000_000 * 1000)


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
