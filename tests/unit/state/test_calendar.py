"""epoch_ms is int(timestamp() * 1000) to the last float rounding, for every zone kind."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, TypeAdapter
from pydantic_core import TzInfo

from pantau.state.calendar import epoch_ms

# Whole seconds of offset for pydantic's zones, any timedelta under a day for the others.
ZONES: st.SearchStrategy[tzinfo] = (
    st.integers(-86399, 86399).map(TzInfo)
    | st.timedeltas(timedelta(hours=-23, minutes=-59), timedelta(hours=23, minutes=59)).map(
        timezone
    )
    | st.sampled_from([ZoneInfo("Asia/Jakarta"), ZoneInfo("America/St_Johns"), ZoneInfo("UTC")])
)


@settings(max_examples=2000)
@given(st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)), ZONES, st.booleans())
def test_every_instant_in_every_zone(naive: datetime, zone: tzinfo, fold: bool) -> None:
    at = naive.replace(tzinfo=zone, fold=int(fold))
    assert epoch_ms(at) == int(at.timestamp() * 1000)


@pytest.mark.parametrize(
    "text",
    ["2026-01-05T00:00:00.123+07:00", "1969-12-31T23:59:59.999999-03:30", "2026-11-27T17:00:00Z",
     "2038-01-19T03:14:08.000001+00:00", "1970-01-01T07:00:00.0005+07:00"],
)  # fmt: skip
def test_datetimes_as_pydantic_parses_them(text: str) -> None:
    at = TypeAdapter(AwareDatetime).validate_json(f'"{text}"')
    assert type(at.tzinfo) is TzInfo
    assert epoch_ms(at) == int(at.timestamp() * 1000)
