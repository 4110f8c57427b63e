"""Alert events on the alerts topic: a spike's firing and its resolution, with evidence.

They are not state events (no live figure is folded from them), so they have their own
model and parser; the envelope is the same.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, ValidationError, model_validator

from pantau.contract.dimensions import Dimension
from pantau.contract.errors import ContractError
from pantau.contract.events import Envelope, Slug

Fingerprint = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9:._-]*$")
]


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


SpikeGroup = Literal["dimension", "category", "kecamatan"]
Stage = Literal["forwarding", "first_action", "resolution"]


class AlertEvent(Envelope):
    """A change of one alert, keyed by its fingerprint (stable for the alert's life).

    Two kinds: a complaint spike (group dimension, category or kecamatan; its evidence is
    the window, the count observed and expected, the tail probability), and a deadline
    breach (group "deadline", value the agency, with the stage; observed is how many of
    the agency's complaints are past that stage's deadline)."""

    kind: Literal["alert"] = "alert"
    fingerprint: Fingerprint
    alertname: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]*$", max_length=64)]
    status: AlertStatus
    group: Literal["dimension", "category", "kecamatan", "deadline"]
    value: Slug
    dimension: Dimension | None = Field(
        default=None, description="The dimension the group belongs to, when it has one."
    )
    stage: Stage | None = Field(default=None, description="A deadline breach's stage.")
    window_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    observed: int = Field(ge=0)
    expected: float | None = Field(default=None, ge=0)
    score: float | None = Field(
        default=None, ge=0, le=1, description="Poisson tail probability: lower is stranger."
    )
    started_at: AwareDatetime

    @model_validator(mode="after")
    def _evidence_of_its_kind(self) -> Self:
        if self.group == "deadline":
            if self.stage is None:
                raise ValueError("stage: a deadline breach names its stage")
        elif None in (self.window_minutes, self.expected, self.score):
            raise ValueError("window_minutes, expected and score: a spike's evidence")
        return self

    @property
    def entity_id(self) -> str:
        return self.fingerprint


def parse_alert(raw: bytes | str) -> AlertEvent:
    try:
        return AlertEvent.model_validate_json(raw)
    except ValidationError as error:
        raise ContractError.from_validation(error, subject="alert") from None
