"""Who is paged about an incident, and when nobody answers, who next: the city profile's
`escalation` section. Roles are names the city chooses (desk operator, agency head,
command-center chief); where each role is paged (webhook URLs, their secrets) is a
setting, PANTAU_ESCALATION_WEBHOOKS, never profile data."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class EscalationTier(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    after_minutes: float = Field(ge=0, description="Minutes after the page, unacknowledged.")


class EscalationPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tiers: list[EscalationTier] = Field(
        default_factory=lambda: [
            EscalationTier(role="desk-operator", after_minutes=0),
            EscalationTier(role="agency-head", after_minutes=15),
            EscalationTier(role="command-chief", after_minutes=30),
        ],
        min_length=1,
    )
    repeat_minutes: float = Field(
        default=15, gt=0, description="The last tier is paged again this often, unacknowledged."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.tiers[0].after_minutes != 0:
            raise ValueError("tiers[0].after_minutes must be 0: the first tier is paged at once")
        for n, (before, tier) in enumerate(zip(self.tiers, self.tiers[1:], strict=False), 1):
            if tier.after_minutes <= before.after_minutes:
                raise ValueError(f"tiers[{n}].after_minutes must be later than the tier before")
        roles = [tier.role for tier in self.tiers]
        if len(set(roles)) != len(roles):
            raise ValueError("tiers: each role may appear once")
        return self

    def tier_due(self, minutes_since_page: float) -> int:
        """The tier (1-based) an unacknowledged incident has reached."""
        return max(n for n, t in enumerate(self.tiers, 1) if t.after_minutes <= minutes_since_page)
