"""Inputs, state and results of the invoice workflow and its activities."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.decisions import DecisionRecord
from schemas.common.documents import BlobRef, DocumentText
from schemas.common.effects import EffectRecord
from schemas.common.money import format_minor
from schemas.common.rollout import LowRiskLimits, RerunInfo, RerunRequest, RolloutPin, Stage
from schemas.invoice.assessment import Assessment
from schemas.invoice.effects import DraftBill, DuplicateMatch
from schemas.invoice.events import InvoiceReceivedV1
from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.templates import LearnedTemplate, TemplateCheck
from schemas.reconciliation.workflow import ReconciliationResult
from vouchflow.settings.config import IntakeSettings, InvoicePolicy, Settings

InvoiceStatus = Literal[
    "received",
    "reading",
    "extracting",
    "assessing",
    "awaiting_approval",
    "posting",
    "drafted",
    "completed",
    "rejected",
    "flagged",
    "rejected_input",
    "reverted",
    "expired",
    "needs_attention",
]

# States where the workflow waits for a person or has finished.
RESTING_STATUSES: frozenset[str] = frozenset(
    {
        "awaiting_approval",
        "drafted",
        "completed",
        "rejected",
        "flagged",
        "rejected_input",
        "reverted",
        "expired",
        "needs_attention",
    }
)
TERMINAL_STATUSES: frozenset[str] = RESTING_STATUSES - {"awaiting_approval", "drafted"}


def invoice_workflow_id(document_sha256: str) -> str:
    """Same document, same workflow: the id is derived from the content hash."""
    return f"invoice-{document_sha256[:32]}"


class InvoiceState(BaseModel):
    """Everything `status` returns; also what the workflow returns when it ends."""

    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    status: InvoiceStatus = "received"
    status_reason: str = ""
    waiting_for: str = ""
    event: InvoiceReceivedV1
    document: DocumentText | None = None
    extraction: ExtractionResult | None = None
    extraction_attempts: list[str] = Field(default_factory=list)
    assessment: Assessment | None = None
    duplicates: list[DuplicateMatch] = Field(default_factory=list)
    decisions: list[DecisionRecord] = Field(default_factory=list)
    effects: list[EffectRecord] = Field(default_factory=list)
    draft_bill: DraftBill | None = None
    notification_ref: str | None = None
    email_due_at: dt.datetime | None = None
    email_state: Literal["none", "scheduled", "sent", "cancelled"] = "none"
    revert_window_ends_at: dt.datetime | None = None
    reminders_sent: int = 0
    escalated: bool = False
    audit_records: int = 0
    prompt_version: str | None = None
    tokens_used: int = 0
    cost_micro_usd: int = 0
    # Who submitted, as proven by the event's submit token (None: unproven).
    submitter: str | None = None
    # Refused decisions: the first few are each recorded and audited; the rest counted.
    refused_decisions: int = 0
    suppressed_refusals: int = 0
    # Runs of this workflow (continue-as-new keeps histories short on long waits).
    runs: int = 1
    # The supplier's learned template: its check of this invoice, and what this
    # invoice's approval taught it.
    template_check: TemplateCheck | None = None
    template_learned: LearnedTemplate | None = None
    # The rollout stage this run pinned at its start (None: started before stages).
    rollout: RolloutPin | None = None
    shadow_workflow_id: str | None = None
    # Set when an operator re-ran this workflow (remediation after a bad prompt).
    rerun: RerunInfo | None = None
    # Purchase-order reconciliation (a child workflow) and what it found; None: not run.
    reconciliation_workflow_id: str | None = None
    reconciliation: ReconciliationResult | None = None

    @property
    def effect_suffix(self) -> str:
        """Appended to every effect key of a re-run: its effects are its own, and the
        same across its retries (":rerun-1", ...); empty for the first run."""
        return f":rerun-{self.rerun.context.number}" if self.rerun is not None else ""

    def total_text(self, unknown: str = "-") -> str:
        """The assessed total as people read it, e.g. 'GBP 1,234.56'."""
        if self.assessment is None:
            return unknown
        inv = self.assessment.invoice
        if inv.total_minor is None or not inv.currency:
            return unknown
        return format_minor(inv.total_minor, inv.currency)

    def new_decision_by(
        self, before: int, actor: str, kind: str | None = None
    ) -> DecisionRecord | None:
        """The first decision recorded after the first `before` ones by this actor
        (signals have no reply: callers read the workflow's record of their signal)."""
        for record in self.decisions[before:]:
            if record.actor == actor and (kind is None or record.kind == kind):
                return record
        return None


ResumePhase = Literal["review", "email", "revert_window"]


class InvoiceResume(BaseModel):
    """Where a continued-as-new run picks up: the state so far and the phase it was in."""

    model_config = ConfigDict(extra="forbid")

    phase: ResumePhase
    state: InvoiceState
    settings: Settings
    review_started_at: dt.datetime | None = None
    timers_fired: int = 0
    notify_count: int = 0
    cancel_email_by: str | None = None


class InvoiceWorkflowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: InvoiceReceivedV1
    resume: InvoiceResume | None = None
    rerun: RerunRequest | None = None


# ---- activity inputs (one model per activity) -------------------------------------------


class ReadDocumentInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: BlobRef
    filename: str
    # Only the intake limits: reading needs nothing else from the configuration.
    limits: IntakeSettings


class ExtractFieldsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    document: DocumentText
    filename: str
    provider: str
    prompt_name: str | None = None
    prompt_version: str | None = None
    token_budget_remaining: int | None = None
    # Model settings (prices, timeouts, caps) are the worker's own: operational, not rules.


class PromptRef(BaseModel):
    """The prompt version a workflow runs with, resolved from its label once."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    label: str
    model: str
    token_budget: int


class AssessInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extraction: ExtractionResult
    duplicates: list[DuplicateMatch]
    today: dt.date
    text_method: str
    policy: InvoicePolicy
    corrections: dict[str, Any] | None = None
    # The supplier template's check: its findings route, its supplier counts as known.
    template_check: TemplateCheck | None = None
    # The run's rollout stage, applied to the route (intake only; None: the rules alone).
    stage: Stage | None = None
    low_risk: LowRiskLimits | None = None


class ApprovalCheckInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: str
    submitted_by: str
    assessment: Assessment
    policy: InvoicePolicy
    decision: Literal["approve", "reject"]
    # An approval of an invoice still carrying validation errors, without corrections that
    # resolve them, is refused unless this is set by an approver allowed to override.
    override_errors: bool = False


class ApprovalCheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed: bool
    reason: str
