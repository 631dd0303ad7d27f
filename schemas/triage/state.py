"""The triage workflow's input, state and routing decision."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.decisions import DecisionRecord
from schemas.common.effects import EffectRecord
from schemas.common.rollout import RerunInfo, RerunRequest, RolloutPin
from schemas.triage.classification import ClassificationResult, TicketClassification
from schemas.triage.context import CustomerContext
from schemas.triage.decisions import CorrectionRecord
from schemas.triage.events import TicketCreatedV1
from schemas.triage.policy import TriagePolicy

Route = Literal["review", "escalation", "enterprise", "category"]
# "awaiting_approval" is the status every vouchflow workflow uses while it waits for a
# person, so `VouchflowStatus="awaiting_approval"` lists invoices and tickets alike
# (Temporal's WorkflowType tells them apart).
TriageStatus = Literal[
    "received",
    "classifying",
    "awaiting_approval",
    "routing",
    "routed",
    "expired",
    "needs_attention",
]
ENDED: tuple[str, ...] = ("routed", "expired", "needs_attention")


class RouteDecision(BaseModel):
    """Where a ticket goes and why: computed by code (vouchflow/triage/rules.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    route: Route
    queue: str
    reasons: list[str]


class TriageState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    event: TicketCreatedV1
    status: TriageStatus = "received"
    status_reason: str = ""
    runs: int = 1
    context: CustomerContext | None = None
    # Why the customer store could not be read (the event's values were used instead).
    context_problem: str | None = None
    prompt_version: str | None = None
    classification: ClassificationResult | None = None
    classifier_attempts: list[str] = Field(default_factory=list)
    # The machine's route, then (after a review) the final one.
    first_route: RouteDecision | None = None
    route: RouteDecision | None = None
    # The classification the final route used: the machine's, confirmed or corrected.
    final: TicketClassification | None = None
    reviewed_by: str | None = None
    correction: CorrectionRecord | None = None
    decisions: list[DecisionRecord] = Field(default_factory=list)
    effects: list[EffectRecord] = Field(default_factory=list)
    escalation_ref: str | None = None
    notification_ref: str | None = None
    reminders_sent: int = 0
    tokens_used: int = 0
    cost_micro_usd: int = 0
    refused_decisions: int = 0
    suppressed_refusals: int = 0
    audit_records: int = 0
    # The rollout stage this run pinned at its start (None: started before stages).
    rollout: RolloutPin | None = None
    shadow_workflow_id: str | None = None
    # Set when an operator re-ran this workflow (remediation after a bad prompt).
    rerun: RerunInfo | None = None

    @property
    def effect_suffix(self) -> str:
        """Appended to the effect keys of a re-run (":rerun-1", ...); empty at first."""
        return f":rerun-{self.rerun.context.number}" if self.rerun is not None else ""


class TriageResume(BaseModel):
    """What a continued-as-new run carries over (only the review wait continues)."""

    model_config = ConfigDict(extra="forbid")

    state: TriageState
    policy: TriagePolicy
    review_started_at: dt.datetime
    timers_fired: int
    notify_count: int


class TriageWorkflowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: TicketCreatedV1
    resume: TriageResume | None = None
    rerun: RerunRequest | None = None
