"""What code decided about a proposal: validation, the policy (with its version), the
risk tier and route, and the automated checks on the dry run."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ValidationOutcome = Literal[
    "valid",
    "duplicate_proposal",
    "customer_not_found",
    "tier_mismatch",
    "no_change",
    "effective_date_in_past",
    "effective_date_beyond_horizon",
]
RiskTier = Literal["low", "medium", "high"]
Route = Literal["execute", "execute_after_checks", "approval", "refused"]


class ValidationDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: ValidationOutcome
    reason: str

    @property
    def valid(self) -> bool:
        return self.outcome == "valid"


class RuleResult(BaseModel):
    """One policy rule as evaluated: whether it fired, what it demands, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    fired: bool
    effect: Literal["refuse", "approval", "none"]
    detail: str


class PolicyDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    policy_version: str
    direction: Literal["upgrade", "downgrade"]
    monthly_change_minor: int
    currency: str
    rules: list[RuleResult]
    risk: RiskTier | None
    route: Route
    reasons: list[str]


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str
    passed: bool
    detail: str


class ChecksDecision(BaseModel):
    """The automated checks of a medium-risk change against the billing preview."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy_version: str
    passed: bool
    checks: list[CheckResult] = Field(default_factory=list)
