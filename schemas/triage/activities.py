"""Inputs and outputs of the triage activities: one input model per activity, each
carrying only the settings section that activity needs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.triage.classification import TicketClassification
from schemas.triage.context import CustomerContext
from schemas.triage.events import CustomerV1, TicketV1
from schemas.triage.state import RouteDecision
from vouchflow.triage.settings import ClassifierSettings, CustomerStoreSettings, JiraSettings


class LoadContextInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerV1
    settings: CustomerStoreSettings


class ResolveTriagePromptInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt_name: str
    prompt_label: str


class TriagePromptRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    label: str
    model: str
    sha256: str


class ClassifyTicketInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    ticket: TicketV1
    context: CustomerContext
    provider: str
    prompt_name: str | None = None
    prompt_version: str | None = None
    token_budget_remaining: int | None = None
    settings: ClassifierSettings


DecisionStep = Literal["initial", "final"]


class StoreDecisionInput(BaseModel):
    """Idempotent by `idempotency_key`; a later step never loses to an earlier retry."""

    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    ticket_id: str
    customer_id: str
    step: DecisionStep
    route: RouteDecision
    classification: TicketClassification
    classifier: str
    reviewed_by: str | None = None
    idempotency_key: str


class StoredDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision_id: str
    queue: str
    created: bool = Field(description="False when a retry found the decision already stored")


class EscalationInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    event_id: str
    ticket_id: str
    customer_id: str
    summary: str
    description: list[str]
    category: str
    urgency: str
    destination: Literal["local", "jira"]
    queue: str
    jira: JiraSettings


class EscalationReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    destination: Literal["local", "jira"]
    issue_key: str
    issue_id: str
    url: str | None = None
    created: bool = Field(description="False when an existing issue was found and reused")


class CorrectionStored(BaseModel):
    model_config = ConfigDict(extra="forbid")

    correction_id: str
    created: bool
