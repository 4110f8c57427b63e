"""Every step of an incident's life, published to `pantau.incident-steps` for the audit:
who was paged, when it escalated, who acknowledged it with what comment."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from pantau.contract.lifecycle import IncidentStep, Step
from pantau.publisher import EventPublisher
from pantau.state.incident_view import IncidentView

log = logging.getLogger("pantau.alerts")


class StepRecorder:
    def __init__(self, publisher: EventPublisher) -> None:
        self.publisher = publisher

    def __call__(self, view: IncidentView, step: Step, details: Mapping[str, object]) -> None:
        now = datetime.now(UTC)
        event = IncidentStep.model_validate(
            {
                # Unique per step and moment; the same step twice is two facts.
                "event_id": f"{view.short_id}:{step}:{time.time_ns() // 1000}",
                "occurred_at": now,
                "produced_at": now,
                "source": "notifier",
                "incident_id": view.incident_id,
                "short_id": view.short_id,
                "step": step,
                **details,
            }
        )
        try:
            self.publisher.publish(event)
        except Exception as error:  # the broker away: the page itself must still go out
            log.error("incident %s: step %s not recorded (%s)", view.short_id, step, error)

    def close(self) -> None:
        self.publisher.close(timeout=10)
