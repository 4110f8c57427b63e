"""Property: any valid event survives the trip through its JSON wire form unchanged."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from pantau.contract.dimensions import Dimension
from pantau.contract.events import (
    AnyEvent,
    Channel,
    ComplaintEvent,
    ComplaintStatus,
    Direction,
    IndicatorEvent,
    ProgramEvent,
    ProgramStatus,
    encode_event,
    parse_event,
)

identifiers = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:-]{0,40}\Z")
slugs = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,30}\Z")
labels = st.text(min_size=1, max_size=80)
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)
finite = st.floats(allow_nan=False, allow_infinity=False)
envelope = {
    "event_id": identifiers,
    "occurred_at": moments,
    "produced_at": st.datetimes(timezones=st.just(UTC)),
    "source": identifiers,
}
coordinates = st.one_of(
    st.just((None, None)),
    st.tuples(st.floats(min_value=-90, max_value=90), st.floats(min_value=-180, max_value=180)),
)

complaints = coordinates.flatmap(
    lambda lat_lon: st.builds(
        ComplaintEvent,
        complaint_id=identifiers,
        status=st.sampled_from(ComplaintStatus),
        channel=st.sampled_from(Channel),
        category=slugs,
        dimension=st.sampled_from(Dimension),
        agency=slugs,
        kecamatan=slugs,
        kelurahan=slugs,
        lat=st.just(lat_lon[0]),
        lon=st.just(lat_lon[1]),
        description=st.one_of(st.none(), st.text(max_size=300)),
        **envelope,
    )
)
programs = st.builds(
    ProgramEvent,
    program_id=identifiers,
    name=labels,
    dimension=st.sampled_from(Dimension),
    agency=slugs,
    status=st.sampled_from(ProgramStatus),
    realization_pct=st.floats(min_value=0, max_value=100),
    year=st.integers(min_value=2000, max_value=2100),
    **envelope,
)
indicators = st.builds(
    IndicatorEvent,
    indicator_id=slugs,
    name=labels,
    dimension=st.sampled_from(Dimension),
    value=finite,
    unit=st.text(min_size=1, max_size=32),
    period=st.sampled_from(["2023", "2023-09", "2023-09-30", "2024-Q3", "2025-S1"]),
    target=st.one_of(st.none(), finite),
    direction=st.sampled_from(Direction),
    data_source=labels,
    **envelope,
)


@given(st.one_of(complaints, programs, indicators))
def test_any_valid_event_round_trips_through_json(event: AnyEvent) -> None:
    decoded = parse_event(encode_event(event))
    assert decoded == event
    assert type(decoded) is type(event)
    assert encode_event(decoded) == encode_event(event)
