"""The city's escalation policy: tiers in order from an immediate first one; who is due
after how long; the settings that say where each role and operator is."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from pantau.contract.escalation import EscalationPolicy, EscalationTier
from pantau.contract.settings import Settings


def _policy(*tiers: tuple[str, float]) -> EscalationPolicy:
    return EscalationPolicy(tiers=[EscalationTier(role=r, after_minutes=m) for r, m in tiers])


def test_each_tier_is_due_from_its_minute() -> None:
    policy = _policy(("desk-operator", 0), ("agency-head", 15), ("command-chief", 30))
    assert [policy.tier_due(m) for m in (0, 14.9, 15, 29, 30, 600)] == [1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize(
    ("tiers", "named"),
    [
        ([("desk-operator", 5)], "tiers[0].after_minutes must be 0"),
        ([("desk-operator", 0), ("agency-head", 0)], "tiers[1].after_minutes"),
        ([("desk-operator", 0), ("desk-operator", 5)], "each role may appear once"),
    ],
)
def test_a_policy_out_of_order_is_refused_naming_the_tier(
    tiers: list[tuple[str, float]], named: str
) -> None:
    with pytest.raises(ValidationError, match=named.replace("[", r"\[").replace("]", r"\]")):
        _policy(*tiers)


def test_operators_are_named_by_their_keys_and_a_bad_pair_is_refused_without_its_value() -> None:
    settings = Settings(
        operator_keys=SecretStr("sari=k3y-of-sari-0123456789,budi=k3y-of-budi-0123456789")
    )
    assert settings.operators() == {
        "k3y-of-sari-0123456789": "sari",
        "k3y-of-budi-0123456789": "budi",
    }
    with pytest.raises(ValidationError) as refused:
        Settings(operator_keys=SecretStr("sari=k3y-of-sari-0123456789,budi:short"))
    assert "pair 2" in str(refused.value) and "short" not in str(refused.value)


def test_escalation_webhooks_are_urls_per_role() -> None:
    settings = Settings(
        escalation_webhooks="agency-head=https://a.example/h,agency-head=http://b/h"
    )
    assert settings.escalation_urls() == {"agency-head": ["https://a.example/h", "http://b/h"]}
    with pytest.raises(ValidationError, match="role=http"):
        Settings(escalation_webhooks="agency-head=ftp://nowhere")
