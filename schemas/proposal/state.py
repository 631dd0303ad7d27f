"""The tier-change workflow's input and state."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.decisions import DecisionRecord
from schemas.common.effects import EffectRecord
from schemas.common.rollout import RerunInfo, RerunRequest
from schemas.proposal.billing import BillingAccount, DryRun, ExecutionReceipt
from schemas.proposal.decisions import (
    ChecksDecision,
    PolicyDecision,
    RiskTier,
    ValidationDecision,
)
from schemas.proposal.events import TierChangeRequestedV1
from schemas.proposal.proposal import ProposalResult

# "awaiting_approval" is the status every vouchflow workflow uses while a person decides.
ProposalStatus = Literal[
    "received",
    "proposing",
    "validating",
    "previewing",
    "awaiting_approval",
    "scheduled",
    "executing",
    "executed",
    "rejected",
    "expired",
    "needs_attention",
]
ENDED: tuple[str, ...] = ("executed", "rejected", "expired", "needs_attention")
# The route a change took: executed straight away, after the automated checks, after a
# person's approval, or not at all.
TakenRoute = Literal["execute", "execute_after_checks", "approval", "rejected", "needs_attention"]


class ProposalState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    event: TierChangeRequestedV1
    status: ProposalStatus = "received"
    status_reason: str = ""
    prompt_version: str | None = None
    result: ProposalResult | None = None
    parser_attempts: list[str] = Field(default_factory=list)
    account: BillingAccount | None = None
    validation: ValidationDecision | None = None
    policy: PolicyDecision | None = None
    # When the change takes effect (the later of the requested date and the decision).
    effective_at: dt.datetime | None = None
    risk: RiskTier | None = None
    route: TakenRoute | None = None
    dry_run: DryRun | None = None
    checks: ChecksDecision | None = None
    # Why a medium-risk change went to a person (failed automated checks).
    escalated: str | None = None
    approved_by: str | None = None
    decisions: list[DecisionRecord] = Field(default_factory=list)
    effects: list[EffectRecord] = Field(default_factory=list)
    execution: ExecutionReceipt | None = None
    # Set when the change was refused: the validation outcome or policy rule, say.
    rejection: str | None = None
    notification_ref: str | None = None
    reminders_sent: int = 0
    tokens_used: int = 0
    cost_micro_usd: int = 0
    refused_decisions: int = 0
    suppressed_refusals: int = 0
    audit_records: int = 0
    # Set on an operator's re-run from the start (proven, allowed, with what the earlier
    # runs did, from the audit log).
    rerun: RerunInfo | None = None

    @property
    def effect_suffix(self) -> str:
        """Appended to the notification keys of a re-run (":rerun-1", ...); empty at first.
        Not to the billing change's key: the ledger binds the proposal to this workflow
        and that key, so a re-run finds what an earlier run applied instead of a second
        change."""
        return f":rerun-{self.rerun.context.number}" if self.rerun is not None else ""


class ProposalWorkflowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: TierChangeRequestedV1
    # An operator's re-run from the start (`vouchflow failed rerun ID --from-start`, or
    # the dead letter's `rerun`): its proof is checked before anything is read.
    rerun: RerunRequest | None = None
