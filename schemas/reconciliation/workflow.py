"""The reconciliation child workflow's input, state and result."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.effects import EffectRecord
from schemas.invoice.invoice import Invoice
from schemas.reconciliation.agent import (
    AgentMessage,
    AgentStep,
    ProposedMatch,
    StopReason,
    Verification,
)
from schemas.reconciliation.findings import Finding, MatchOutcome, ReconciliationPolicy

ReconciliationStatus = Literal["running", "matched", "escalated", "failed"]
DecidedBy = Literal["code", "agent", "nobody"]


def reconciliation_workflow_id(parent_workflow_id: str) -> str:
    """One reconciliation per invoice run: a retried start attaches to the first."""
    return f"{parent_workflow_id}:reconciliation"


class ReconciliationInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_workflow_id: str
    invoice: Invoice
    # PO numbers the caller already knows (an e-invoice's order reference, a correction).
    po_references: list[str] = Field(default_factory=list, max_length=20)
    # The document's text in the blob store: PO numbers printed on it are found there.
    document_text_sha256: str | None = None
    # None: read `[reconciliation]` from the worker's settings (once, then in history).
    policy: ReconciliationPolicy | None = None


class AgentSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str
    iterations: int = 0
    model_turns: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_micro_usd: int = 0
    stop_reason: StopReason | None = None
    detail: str = ""

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class ReconciliationResult(BaseModel):
    """What the invoice workflow routes on. `matched` keeps the invoice's route; anything
    else sends it to a person with the finding (see reconciliation_review_reasons)."""

    model_config = ConfigDict(extra="forbid")

    status: ReconciliationStatus
    decided_by: DecidedBy
    finding: Finding
    findings: list[Finding] = Field(default_factory=list)
    po_number: str | None = None
    proposal: ProposedMatch | None = None
    verification: Verification | None = None
    agent: AgentSummary | None = None
    reason: str = ""


class ReconciliationState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    parent_workflow_id: str
    status: ReconciliationStatus = "running"
    status_reason: str = ""
    started_at: dt.datetime | None = None
    policy: ReconciliationPolicy | None = None
    po_references: list[str] = Field(default_factory=list)
    deterministic: MatchOutcome | None = None
    messages: list[AgentMessage] = Field(default_factory=list)
    steps: list[AgentStep] = Field(default_factory=list)
    agent: AgentSummary | None = None
    result: ReconciliationResult | None = None
    # The shared audit trail keeps these up to date (workflows.common.trail).
    effects: list[EffectRecord] = Field(default_factory=list)
    audit_records: int = 0
