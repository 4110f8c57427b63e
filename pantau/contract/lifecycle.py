"""An incident's lifecycle as events, on a topic of its own (`pantau.incident-steps`): it
fired, a tier was notified, it escalated, someone acknowledged it (who, with what
comment), it resolved. The notifier writes them and never reads them back, so the record
of who knew what when cannot feed on itself; an audit reads it (`pantau alerts history`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationError

from pantau.contract.errors import ContractError
from pantau.contract.events import Envelope

Step = Literal["fired", "notified", "escalated", "acknowledged", "resolved"]


class IncidentStep(Envelope):
    kind: Literal["incident-step"] = "incident-step"
    incident_id: Annotated[str, Field(min_length=1, max_length=260)]
    short_id: Annotated[str, Field(pattern=r"^inc-[0-9a-f]{8}$")]
    step: Step
    tier: int | None = Field(default=None, ge=1, description="The escalation tier paged.")
    role: str | None = Field(default=None, max_length=64, description="That tier's role.")
    by: str | None = Field(default=None, max_length=64, description="Who acknowledged.")
    comment: str | None = Field(default=None, max_length=500)

    @property
    def entity_id(self) -> str:
        return self.incident_id


def parse_incident_step(raw: bytes | str) -> IncidentStep:
    try:
        return IncidentStep.model_validate_json(raw)
    except ValidationError as error:
        raise ContractError.from_validation(error, subject="incident step") from None
