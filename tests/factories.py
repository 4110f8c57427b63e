"""Valid example events, as factories: a test changes only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

NOW = datetime(2026, 11, 27, 3, 15, tzinfo=UTC)


def complaint_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "complaint",
        "event_id": "evt-complaint-1",
        "occurred_at": NOW.isoformat(),
        "produced_at": NOW.isoformat(),
        "source": "intake",
        "complaint_id": "C-2026-000001",
        "status": "received",
        "channel": "whatsapp",
        "category": "jalan-rusak",
        "dimension": "living",
        "agency": "dpupr",
        "kecamatan": "magersari",
        "kelurahan": "wates",
        "lat": -7.4722,
        "lon": 112.4338,
        "description": "Jalan berlubang di depan rumah Bu Siti, 0812-3456-7890",
    }
    document.update(changes)
    return document


def program_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "program",
        "event_id": "evt-program-1",
        "occurred_at": NOW.isoformat(),
        "produced_at": NOW.isoformat(),
        "source": "importer",
        "program_id": "GOV-2023-01",
        "name": "Mal Pelayanan Publik",
        "dimension": "governance",
        "agency": "dpmptsp",
        "status": "completed",
        "realization_pct": 100.0,
        "year": 2023,
    }
    document.update(changes)
    return document


def indicator_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "indicator",
        "event_id": "evt-indicator-1",
        "occurred_at": NOW.isoformat(),
        "produced_at": NOW.isoformat(),
        "source": "importer",
        "indicator_id": "stunting-prevalence",
        "name": "Prevalensi stunting",
        "dimension": "living",
        "value": 2.26,
        "unit": "%",
        "period": "2023-09",
        "target": 2.0,
        "direction": "lower_is_better",
        "data_source": "E-PPBGM",
    }
    document.update(changes)
    return document


def alert_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "alert",
        "event_id": "complaint-spike:dimension:living:firing:29867233",
        "occurred_at": NOW.isoformat(),
        "produced_at": NOW.isoformat(),
        "source": "detector",
        "fingerprint": "complaint-spike:dimension:living",
        "alertname": "ComplaintSpike",
        "status": "firing",
        "group": "dimension",
        "value": "living",
        "dimension": "living",
        "window_minutes": 10,
        "observed": 15,
        "expected": 3.31,
        "score": 2.2e-06,
        "started_at": NOW.isoformat(),
    }
    document.update(changes)
    return document


def incident_step_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "incident-step",
        "event_id": "inc-3fa9c2d1:acknowledged:1764558900000000",
        "occurred_at": NOW.isoformat(),
        "produced_at": NOW.isoformat(),
        "source": "notifier",
        "incident_id": "complaint-spike:dimension:living@29867233",
        "short_id": "inc-3fa9c2d1",
        "step": "acknowledged",
        "by": "operator-1",
        "comment": "Tim DPUPR menuju lokasi",
    }
    document.update(changes)
    return document
