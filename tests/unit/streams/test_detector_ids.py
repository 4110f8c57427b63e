"""The spike detector's alerts fit the contract for every key a city profile may hold:
Mojokerto's longest, and the longest the profile schema admits, at any minute up to the
year 9999. The detector once stopped for good on a 66-character event id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pantau.contract.alerts import AlertEvent, parse_alert
from pantau.contract.city import CityProfile, load_city_profile
from pantau.contract.dimensions import Dimension
from pantau.contract.events import IDENTIFIER_MAX_LENGTH
from pantau.detection.spike import SpikeStatus, SpikeVerdict, fingerprint
from pantau.detection.windows import Evidence
from streams.detector import WatchedGroup, alert_event, watched_groups

PROFILE = load_city_profile("mojokerto")
LAST_MINUTE = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp()) // 60
SCHEMA: dict[str, Any] = CityProfile.model_json_schema()["$defs"]


def _schema_longest(model: str) -> str:
    """A key of the greatest length the profile schema admits for `model`."""
    longest = int(SCHEMA[model]["properties"]["key"]["maxLength"])
    return ("a-" * longest)[: longest - 1] + "z"


def _groups() -> list[WatchedGroup]:
    watched = watched_groups(PROFILE)
    longest = [
        max((g for g in watched if g.group == kind), key=lambda g: len(g.value))
        for kind in ("dimension", "category", "kecamatan")
    ]
    schema = [
        WatchedGroup("category", _schema_longest("Category"), Dimension.GOVERNANCE),
        WatchedGroup("kecamatan", _schema_longest("Kecamatan"), None),
    ]
    return [*longest, *schema]


def _alert(group: WatchedGroup, status: SpikeStatus, minute: int) -> AlertEvent:
    verdict = SpikeVerdict(
        fingerprint=fingerprint(group.group, group.value),
        group=group.group,
        value=group.value,
        status=status,
        minute=minute,
        started_minute=minute - 20,
        evidence=Evidence(window_minutes=5, observed=40, expected=3.0, probability=1e-9),
    )
    return alert_event(verdict, group)


def test_the_profiles_longest_category_is_among_those_checked() -> None:
    values = {g.value for g in _groups()}
    assert "administrasi-kependudukan" in values
    assert max(len(v) for v in values) == 48


@pytest.mark.parametrize("group", _groups(), ids=lambda g: f"{g.group}-{len(g.value)}")
@pytest.mark.parametrize("status", list(SpikeStatus))
@pytest.mark.parametrize("minute", [29_937_544, LAST_MINUTE])
def test_every_alert_fits_the_contract_and_reads_back(
    group: WatchedGroup, status: SpikeStatus, minute: int
) -> None:
    alert = _alert(group, status, minute)
    assert len(alert.event_id) <= IDENTIFIER_MAX_LENGTH
    assert parse_alert(alert.model_dump_json()) == alert
    assert alert.event_id.endswith(f":{status.value}:{minute}")
    assert _alert(group, status, minute).event_id == alert.event_id, "stable: a dedupe key"


def test_ids_that_fitted_before_are_unchanged() -> None:
    living = WatchedGroup("dimension", "living", Dimension.LIVING)
    alert = _alert(living, SpikeStatus.FIRING, 29_937_544)
    assert alert.event_id == "complaint-spike:dimension:living:firing:29937544"


def test_distinct_verdicts_have_distinct_ids() -> None:
    ids = {
        _alert(group, status, minute).event_id
        for group in _groups()
        for status in SpikeStatus
        for minute in (29_937_544, 29_937_545)
    }
    assert len(ids) == len(_groups()) * len(SpikeStatus) * 2
