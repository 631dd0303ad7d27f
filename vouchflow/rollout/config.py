"""The `[rollout]` section of vouchflow.toml: who may operate rollouts and re-runs, and
what `partial` counts as low risk. Absent section: the documented defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.rollout import LowRiskLimits
from vouchflow.settings.config import Settings


class RolloutConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # People who may set rollout stages and re-run workflows. Empty: the approvers
    # allowed to override validation errors (the most trusted reviewers).
    operators: list[str] = Field(default_factory=list)
    low_risk: LowRiskLimits = Field(default_factory=LowRiskLimits)


def rollout_config(settings: Settings) -> RolloutConfig:
    return RolloutConfig.model_validate(settings.integrations.get("rollout", {}))


def operators(settings: Settings) -> list[str]:
    configured = rollout_config(settings).operators
    if configured:
        return configured
    return [a.id for a in settings.approval.approvers if a.may_override_errors]


def operator_refusal(settings: Settings, person: str) -> str | None:
    """Why `person` (already proven) may not operate rollouts; None when they may."""
    allowed = operators(settings)
    if person in allowed:
        return None
    listed = ", ".join(allowed) or "nobody"
    return f"{person} is not a rollout operator (operators: {listed})"
