"""Searching everything Pantau wrote about a run for the complainants' personal data.

The simulator's complaint texts carry a name and a phone number, as citizens' messages
do. None of it may appear in logs, metrics, alerts (topic, records, webhook deliveries)
or the dead-letter reasons; only the complaint events themselves hold it.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx

from pantau.contract.settings import Settings
from pantau.contract.topics import ALERTS, COMPLAINTS, DEADLETTER
from tests.integration.kafka_helpers import read_to_end

PERSONAL = re.compile(r"Pelapor: (?P<name>[A-Za-z]+ [A-Za-z]+), (?P<phone>08[0-9-]+)")


def personal_data_in_log(settings: Settings) -> set[str]:
    """Every name, phone number and full text the complaint topic holds."""
    found: set[str] = set()
    for record in asyncio.run(read_to_end(settings, COMPLAINTS.name)):
        try:
            text = json.loads(record.value).get("description") or ""
        except (ValueError, AttributeError):
            continue
        for match in PERSONAL.finditer(text):
            found |= {match["name"], match["phone"], text}
    return found


def assert_no_personal_data(
    settings: Settings,
    *,
    logs: list[Path],
    metrics_ports: list[int],
    deliveries: list[dict[str, Any]],
    alert_listing: str,
) -> None:
    personal = personal_data_in_log(settings)
    assert len(personal) > 100, "the run's complaints should carry personal data to look for"
    places: dict[str, str] = {str(log): log.read_text(errors="replace") for log in logs}
    for port in metrics_ports:
        places[f"metrics :{port}"] = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    places["webhook deliveries"] = json.dumps(deliveries)
    places["pantau alerts list"] = alert_listing
    alerts = asyncio.run(read_to_end(settings, ALERTS.name))
    places["alerts topic"] = "\n".join(r.value.decode(errors="replace") for r in alerts)
    deadletters = asyncio.run(read_to_end(settings, DEADLETTER.name))
    places["dead-letter reasons"] = "\n".join(
        value.decode(errors="replace")
        for record in deadletters
        for key, value in record.headers
        if key == "pantau-dlq-reason" or key.endswith("detail")
    )
    assert all(places.values()), [name for name, text in places.items() if not text]
    leaks = {
        name: sorted(item for item in personal if item in text)[:3] for name, text in places.items()
    }
    assert not any(leaks.values()), f"personal data found: {leaks}"
