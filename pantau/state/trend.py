"""A dimension's last day of complaint arrivals, hour by hour, beside what the spike
detector expected in each hour: the figures behind the wall's sparklines.

The expectation is the detector's own Baseline with the city's policy, built from the
worker's arrivals per hour instead of per minute. The Baseline adds minutes up into hours
before it looks at them, so the same hours give it the same expectation to the last bit,
and reading weeks of hours costs a fraction of reading weeks of minutes.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from pantau.detection.baseline import MINUTES_PER_HOUR, Baseline, BaselinePolicy
from pantau.state.complaints import HOURLY_ARRIVALS
from pantau.state.figures import ArrivalHour, ArrivalTrend

TREND_HOURS = 24


def hourly_arrivals_suffix(dimension: str) -> str:
    """The aggregate of a dimension's arrivals per hour (pantau/contract/keys.py)."""
    return f"{HOURLY_ARRIVALS}:dimension:{dimension}"


def arrival_trend(
    fields: Counter[str], until: datetime, zone: ZoneInfo, policy: BaselinePolicy
) -> ArrivalTrend:
    """The TREND_HOURS hours up to `until` (timezone-aware) from a dimension's hourly
    aggregate: epoch minute an hour starts at -> complaints that arrived in it."""
    # As the detector reads its arrivals: only the moments that hold any.
    hourly = {int(start): count for start, count in fields.items() if count}
    baseline = Baseline(hourly, policy)
    last_minute = int(until.timestamp()) // 60
    under_way = last_minute - last_minute % MINUTES_PER_HOUR
    hours = []
    for back in range(TREND_HOURS - 1, -1, -1):
        start = under_way - back * MINUTES_PER_HOUR
        end = min(start + MINUTES_PER_HOUR - 1, last_minute)
        hours.append(
            ArrivalHour(
                start=datetime.fromtimestamp(start * 60, zone),
                arrivals=hourly.get(start, 0),
                expected=round(baseline.expected(end, end - start + 1), 3),
            )
        )
    return ArrivalTrend(until=until, hours=hours)
