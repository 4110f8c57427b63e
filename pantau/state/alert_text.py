"""An alert as people read it, in Indonesian and English: the spike's subject named by the
city profile's labels (never its keys), its counts with the language's thousands
separator, the expected count rounded to a whole number of complaints.

"Lonjakan aduan Smart Living (Kehidupan): 14 aduan dalam 10 menit, biasanya 2"

One renderer for every reader of an alert record (the wall, the notifier's messages).
Alerts from Prometheus rules watch the pipeline, not the city: their rule's own
summaries are kept as written (`summary` in English, `summary_id` in Indonesian).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pantau.contract.city import CityProfile
from pantau.state.alerts import AlertRecord

Language = Literal["id", "en"]
AlertTexts = dict[Language, str]
LANGUAGES: tuple[Language, ...] = ("id", "en")


def alert_texts(record: AlertRecord, profile: CityProfile) -> AlertTexts:
    """The record's text in each language, {"id": ..., "en": ...}."""
    group, value = record.labels.get("group"), record.labels.get("value")
    if record.source != "stream" or group is None or value is None:
        return _rule_texts(record)
    return spike_texts(profile, group, value, record.evidence)


def spike_texts(
    profile: CityProfile, group: str, value: str, evidence: dict[str, Any]
) -> AlertTexts:
    """A spike's sentence in each language, from its evidence (observed, expected,
    window_minutes); a deadline breach's from its count and stage."""
    if group == "deadline":
        return _deadline_texts(_agency(value), int(evidence["observed"]),
                               str(evidence["stage"]))  # fmt: skip
    return {
        "id": _spike_id(_subject(profile, group, value, "id"), group, evidence),
        "en": _spike_en(_subject(profile, group, value, "en"), group, evidence),
    }


def spike_subject(profile: CityProfile, group: str, value: str) -> AlertTexts:
    """What spiked, named in each language: "Smart Living (Kehidupan)", "Kecamatan Kranggan";
    for a deadline breach, the agency."""
    if group == "deadline":
        return {language: _agency(value) for language in LANGUAGES}
    return {language: _subject(profile, group, value, language) for language in LANGUAGES}


STAGE_WORDS: dict[str, AlertTexts] = {
    "forwarding": {"id": "penerusan", "en": "forwarding"},
    "first_action": {"id": "tindakan pertama", "en": "first action"},
    "resolution": {"id": "penyelesaian", "en": "resolution"},
}


def _deadline_texts(agency: str, overdue: int, stage: str) -> AlertTexts:
    words = STAGE_WORDS.get(stage, {"id": stage, "en": stage})
    complaints = "complaint" if overdue == 1 else "complaints"
    return {
        "id": f"Tenggat {words['id']} terlewati: {count(overdue, 'id')} aduan {agency}",
        "en": f"Deadline missed: {count(overdue, 'en')} {agency} {complaints} past "
        f"their {words['en']} deadline",
    }


def _agency(key: str) -> str:
    # Agencies go by their initials (DPUPR, DLH): their full names fill a wall line alone.
    return key.upper()


def _rule_texts(record: AlertRecord) -> AlertTexts:
    # A Prometheus rule carries its Indonesian summary as the `summary_id` annotation.
    annotations = record.evidence.get("annotations")
    translated = annotations.get("summary_id") if isinstance(annotations, dict) else None
    return {"id": str(translated or record.summary), "en": record.summary}


def count(n: int, language: Language) -> str:
    """A whole number with the language's thousands separator: 1.029 (id), 1,029 (en)."""
    grouped = f"{n:,}"
    return grouped.replace(",", ".") if language == "id" else grouped


def usual_count(expected: float) -> int:
    """An expected count as a person says it: the nearest whole number, halves up."""
    return math.floor(expected + 0.5)


def _spike_id(subject: str, group: str, evidence: dict[str, Any]) -> str:
    observed, window = int(evidence["observed"]), int(evidence["window_minutes"])
    usual = usual_count(float(evidence["expected"]))
    usually = "biasanya tidak ada" if usual == 0 else f"biasanya {count(usual, 'id')}"
    lead = "Lonjakan aduan di " if group == "kecamatan" else "Lonjakan aduan "
    return f"{lead}{subject}: {count(observed, 'id')} aduan dalam {window} menit, {usually}"


def _spike_en(subject: str, group: str, evidence: dict[str, Any]) -> str:
    observed, window = int(evidence["observed"]), int(evidence["window_minutes"])
    usual = usual_count(float(evidence["expected"]))
    usually = "usually none" if usual == 0 else f"usually {count(usual, 'en')}"
    # "in Damaged road" reads wrong: a category is named, a dimension or area is a place.
    lead = "Complaint surge, " if group == "category" else "Complaint surge in "
    complaints = "complaint" if observed == 1 else "complaints"
    minutes = "minute" if window == 1 else "minutes"
    return f"{lead}{subject}: {count(observed, 'en')} {complaints} in {window} {minutes}, {usually}"


def _subject(profile: CityProfile, group: str, value: str, language: Language) -> str:
    if group == "dimension":
        for dimension in profile.dimensions:
            if dimension.key == value:
                return dimension.label_id if language == "id" else dimension.label_en
    elif group == "category":
        category = profile.category_by_key.get(value)
        if category is not None:
            return category.label_id if language == "id" else category.label_en
    elif group == "kecamatan":
        for kecamatan in profile.kecamatan:
            if kecamatan.key == value:
                return f"Kecamatan {kecamatan.name}"
    # A key the profile no longer names (an alert raised under an older profile): shown
    # as words rather than as a slug.
    return value.replace("-", " ").capitalize()
