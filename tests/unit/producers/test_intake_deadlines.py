"""Open311's search filters requests past a service-level deadline; expected_datetime is
the resolution's deadline (the deadlines themselves come from the live state, see
tests/integration/test_intake.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pantau.contract.events import Channel, ComplaintStatus
from producers.intake.store import RequestView
from tests.unit.producers.intake_harness import intake_app

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _view(complaint_id: str, due_in: timedelta | None) -> RequestView:
    return RequestView(
        complaint_id=complaint_id, status=ComplaintStatus.RECEIVED, category="sampah",
        dimension="environment", agency="dlh", channel=Channel.WHATSAPP, kecamatan="magersari",
        kelurahan="wates", lat=None, lon=None, requested_at=NOW - timedelta(days=9),
        updated_at=NOW - timedelta(days=9), expected_at=NOW + timedelta(days=3),
        due_at=None if due_in is None else NOW + due_in,
    )  # fmt: skip


def test_the_search_can_ask_for_overdue_requests_or_the_others() -> None:
    with intake_app() as intake:
        intake.store.clock = NOW
        for view in (_view("MJK-LATE", -timedelta(minutes=1)),
                     _view("MJK-SOON", timedelta(hours=2)), _view("MJK-NONE", None)):  # fmt: skip
            intake.store.put(view)
        ids = "MJK-LATE,MJK-SOON,MJK-NONE"

        def found(overdue: str) -> list[str]:
            reply = intake.client.get(
                "/requests.json", params={"service_request_id": ids, "overdue": overdue}
            )
            assert reply.status_code == 200, reply.text
            return sorted(v["service_request_id"] for v in reply.json())

        assert found("true") == ["MJK-LATE"]
        assert found("false") == ["MJK-NONE", "MJK-SOON"]
        [late] = intake.client.get("/requests/MJK-LATE.json").json()
        assert datetime.fromisoformat(late["expected_datetime"]) == NOW + timedelta(days=3)
        refused = intake.client.get("/requests.json", params={"overdue": "maybe"})
        assert refused.status_code == 400 and "overdue" in refused.text
