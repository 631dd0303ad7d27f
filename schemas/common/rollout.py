"""Rollout stages, shadow runs and re-runs: what a workflow pins at start, what a shadow
child compares, and what an operator's re-run carries."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# How far a workflow trusts its configured extractor/classifier:
#   shadow  - production acts as in `full`; a candidate runs beside it (a child workflow)
#             and acts on nothing; only the agreement is recorded
#   suggest - everything that would act goes to a person, the model's answer pre-filled
#   partial - only low-risk cases act automatically (vouchflow.rollout.risk)
#   full    - the routing rules alone decide
Stage = Literal["shadow", "suggest", "partial", "full"]
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]
RolloutWorkflow = Literal["invoice", "triage"]
ROLLOUT_WORKFLOWS: tuple[str, ...] = RolloutWorkflow.__args__  # type: ignore[attr-defined]


class RolloutSetting(BaseModel):
    """One workflow's stage as an operator set it (the state directory's stages file)."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage = "full"
    # The shadow candidate: a provider (`openai:gpt-5-mini`, `rules`...) and the prompt it
    # runs with: an explicit version, else the version `candidate_prompt_label` points to
    # when a run starts (pinned for that run, like the production prompt).
    candidate_provider: str | None = None
    candidate_prompt_version: str | None = None
    candidate_prompt_label: str = "candidate"
    set_by: str | None = None
    set_at: dt.datetime | None = None
    reason: str = ""


class LowRiskLimits(BaseModel):
    """What `partial` lets act automatically ([rollout.low_risk] in vouchflow.toml)."""

    model_config = ConfigDict(extra="forbid")

    # Invoices: at most this total (minor units, per currency; a currency not listed is
    # never low risk) and at least this confidence, with no warning or error at all.
    invoice_max_total_minor: dict[str, int] = Field(
        default_factory=lambda: {"GBP": 50_000, "EUR": 50_000, "USD": 50_000}
    )
    invoice_min_confidence: int = Field(default=95, ge=0, le=100)
    # Tickets: a plain category queue (no escalation issue, not the enterprise queue),
    # not high urgency, and at least this confidence.
    ticket_min_confidence: float = Field(default=0.9, ge=0.0, le=1.0)


class ResolveRolloutInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow: RolloutWorkflow
    # The prompt the candidate runs (its label is resolved now, for this run).
    prompt_name: str | None = None


class RolloutPin(BaseModel):
    """The stage one run uses, resolved once at its start and fixed in its history."""

    model_config = ConfigDict(extra="forbid")

    workflow: RolloutWorkflow
    stage: Stage
    candidate_provider: str | None = None
    candidate_prompt_name: str | None = None
    candidate_prompt_version: str | None = None
    set_by: str | None = None
    set_at: dt.datetime | None = None
    low_risk: LowRiskLimits = Field(default_factory=LowRiskLimits)


class FieldAgreement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    production: str | None
    candidate: str | None
    agree: bool


class ShadowComparison(BaseModel):
    """How a candidate's answer compares with production's, field by field."""

    model_config = ConfigDict(extra="forbid")

    fields: list[FieldAgreement]
    agree: bool = Field(description="every compared field agrees")
    agreed_fields: int
    compared_fields: int
    # Where each answer would have sent the item (triage: the routing rules on both).
    production_route: str | None = None
    candidate_route: str | None = None
    route_agrees: bool | None = None


class ShadowOutcome(BaseModel):
    """What a shadow child returns (and records in the audit trail)."""

    model_config = ConfigDict(extra="forbid")

    parent_workflow_id: str
    workflow: RolloutWorkflow
    candidate_provider: str
    candidate_prompt_version: str | None = None
    ok: bool
    failure: str | None = None
    comparison: ShadowComparison | None = None
    tokens: int = 0
    cost_micro_usd: int = 0


class RerunRequest(BaseModel):
    """An operator's re-run of a finished run (remediation after a bad prompt version).

    The token proves the operator (action `rerun`, bound to this workflow id); the worker
    verifies it, and that the operator may re-run, before the run does anything. What the
    earlier runs did is read by the worker from the audit log (RerunContext), never taken
    from the request."""

    model_config = ConfigDict(extra="forbid")

    token: str
    operator: str
    prompt_version: str = Field(description="the version whose runs are re-run")
    reason: str = ""


class RerunContextInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    # The operator the token proved: the worker checks they may re-run.
    operator: str


class RerunContext(BaseModel):
    """What the earlier runs of a workflow left behind, from the audit log."""

    model_config = ConfigDict(extra="forbid")

    # 1 for the first re-run: every effect key of this re-run carries it, so it differs
    # from the earlier runs' keys and stays the same across this run's own retries.
    number: int = Field(ge=1)
    previous_run_ids: list[str] = Field(default_factory=list)
    previous_prompt_versions: list[str] = Field(default_factory=list)
    previous_status: str | None = None
    # Effects done by the earlier runs (effect.outcome records with status done).
    previous_effects: list[str] = Field(default_factory=list)
    # A draft bill an earlier run made and nobody reverted: never drafted again.
    live_bill_id: str | None = None
    # The submitter an earlier run proved (submission.verified): four-eyes still holds.
    proven_submitter: str | None = None
    # Why the operator may not re-run (None: they may), from the worker's configuration.
    refusal: str | None = None


class RerunInfo(BaseModel):
    """A re-run as its workflow state shows it."""

    model_config = ConfigDict(extra="forbid")

    operator: str
    prompt_version: str
    reason: str = ""
    context: RerunContext
