"""Alert events on the alerts topic: a spike's firing and its resolution, with evidence.

They are not state events (no live figure is folded from them), so they have their own
model and parser; the envelope is the same.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, ValidationError

from pantau.contract.dimensions import Dimension
from pantau.contract.errors import ContractError
from pantau.contract.events import Envelope, Slug

Fingerprint = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9:._-]*$")
]


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class AlertEvent(Envelope):
    """A change of one alert, keyed by its fingerprint (stable for the alert's life)."""

    kind: Literal["alert"] = "alert"
    fingerprint: Fingerprint
    alertname: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]*$", max_length=64)]
    status: AlertStatus
    group: Literal["dimension", "category", "kecamatan"]
    value: Slug
    dimension: Dimension | None = Field(
        default=None, description="The dimension the group belongs to, when it has one."
    )
    window_minutes: int = Field(ge=1, le=24 * 60)
    observed: int = Field(ge=0)
    expected: float = Field(ge=0)
    score: float = Field(ge=0, le=1, description="Poisson tail probability: lower is stranger.")
    started_at: AwareDatetime

    @property
    def entity_id(self) -> str:
        return self.fingerprint


def parse_alert(raw: bytes | str) -> AlertEvent:
    try:
        return AlertEvent.model_validate_json(raw)
    except ValidationError as error:
        raise ContractError.from_validation(error, subject="alert") from None
