"""Alert texts as operators read them: the profile's labels, never keys; counts grouped by
the language's separator; the expected count rounded for people."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from consumers.alerts.alertmanager import AlertmanagerAlert, from_alertmanager
from consumers.alerts.lifecycle import from_stream
from pantau.contract.alerts import AlertEvent
from pantau.contract.city import load_city_profile
from pantau.state.alert_text import alert_texts, count, usual_count
from pantau.state.alerts import AlertRecord
from tests.factories import alert_document

PROFILE = load_city_profile("mojokerto")
RULES = Path(__file__).resolve().parents[3] / "deploy/prometheus/rules/pantau.yml"


def _spike(**changes: object) -> AlertRecord:
    record = from_stream(None, AlertEvent.model_validate(alert_document(**changes)))
    assert record is not None
    return record


def test_a_dimension_spike_reads_in_both_languages() -> None:
    texts = alert_texts(_spike(observed=14, expected=2.4), PROFILE)
    assert texts == {
        "id": "Lonjakan aduan Smart Living (Kehidupan): 14 aduan dalam 10 menit, biasanya 2",
        "en": "Complaint surge in Smart Living: 14 complaints in 10 minutes, usually 2",
    }


def test_a_category_spike_names_the_category_and_an_expected_zero_reads_none() -> None:
    record = _spike(group="category", value="jalan-rusak", observed=6, expected=0.0,
                    fingerprint="complaint-spike:category:jalan-rusak")  # fmt: skip
    texts = alert_texts(record, PROFILE)
    assert texts["id"] == "Lonjakan aduan Jalan rusak: 6 aduan dalam 10 menit, biasanya tidak ada"
    assert texts["en"] == "Complaint surge, Damaged road: 6 complaints in 10 minutes, usually none"
    assert "jalan-rusak" not in texts["id"] + texts["en"]


def test_a_kecamatan_spike_names_the_kecamatan() -> None:
    record = _spike(group="kecamatan", value="prajurit-kulon", dimension=None, window_minutes=5,
                    observed=1029, expected=310.5)  # fmt: skip
    assert alert_texts(record, PROFILE) == {
        "id": "Lonjakan aduan di Kecamatan Prajurit Kulon: 1.029 aduan dalam 5 menit, biasanya 311",
        "en": "Complaint surge in Kecamatan Prajurit Kulon: 1,029 complaints in 5 minutes, "
        "usually 311",
    }


def test_one_complaint_in_one_minute_is_singular_in_english() -> None:
    texts = alert_texts(_spike(observed=1, window_minutes=1, expected=0.2), PROFILE)
    assert texts["en"].endswith(": 1 complaint in 1 minute, usually none")


def test_a_key_the_profile_does_not_name_is_shown_as_words() -> None:
    texts = alert_texts(_spike(group="category", value="lampu-taman"), PROFILE)
    assert texts["id"].startswith("Lonjakan aduan Lampu taman:")


def test_a_pipeline_alert_keeps_its_rules_summaries_in_both_languages() -> None:
    alert = AlertmanagerAlert(
        status="firing", labels={"alertname": "PantauWorkerDown", "severity": "critical"},
        annotations={"summary": "No stream worker is answering at w1:6066",
                     "summary_id": "Tidak ada worker stream yang menjawab di w1:6066"},
        startsAt="2026-11-27T03:15:00Z", fingerprint="abc",
    )  # fmt: skip
    record = from_alertmanager(None, alert)
    assert record is not None
    assert alert_texts(record, PROFILE) == {
        "id": "Tidak ada worker stream yang menjawab di w1:6066",
        "en": "No stream worker is answering at w1:6066",
    }


def test_a_rule_without_an_indonesian_summary_shows_its_english_one() -> None:
    alert = AlertmanagerAlert(
        status="firing", labels={"alertname": "SomeoneElsesRule"},
        annotations={"summary": "Disk almost full"},
        startsAt="2026-11-27T03:15:00Z", fingerprint="abd",
    )  # fmt: skip
    record = from_alertmanager(None, alert)
    assert record is not None
    assert alert_texts(record, PROFILE) == {"id": "Disk almost full", "en": "Disk almost full"}


def test_every_rule_says_its_summary_in_both_languages() -> None:
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert {"summary", "summary_id"} <= rule["annotations"].keys(), rule["alert"]


@pytest.mark.parametrize(
    ("expected", "usual"), [(0.0, 0), (0.49, 0), (0.5, 1), (2.5, 3), (3.31, 3), (1028.7, 1029)]
)
def test_expected_counts_round_to_whole_complaints_halves_up(expected: float, usual: int) -> None:
    assert usual_count(expected) == usual


def test_counts_group_thousands_by_language() -> None:
    assert (count(1029, "id"), count(1029, "en")) == ("1.029", "1,029")
    assert (count(1234567, "id"), count(999, "en")) == ("1.234.567", "999")


def test_a_deadline_breach_reads_in_both_languages_with_the_agency_and_stage() -> None:
    record = _spike(fingerprint="deadline-breach:dpupr:forwarding", group="deadline",
                    value="dpupr", dimension=None, stage="forwarding", observed=1029,
                    window_minutes=None, expected=None, score=None)  # fmt: skip
    assert alert_texts(record, PROFILE) == {
        "id": "Tenggat penerusan terlewati: 1.029 aduan DPUPR",
        "en": "Deadline missed: 1,029 DPUPR complaints past their forwarding deadline",
    }
