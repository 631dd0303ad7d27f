"""The triage shadow run: a candidate classifier reads the same ticket beside
production, as a child workflow that acts on nothing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from schemas.triage.classification import ClassificationResult
from schemas.triage.context import CustomerContext
from schemas.triage.events import TicketV1
from vouchflow.triage.settings import ClassifierSettings, RoutingSettings


class TriageShadowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_workflow_id: str
    ticket: TicketV1
    context: CustomerContext
    plan: str
    candidate_provider: str
    prompt_name: str | None = None
    prompt_version: str | None = None
    classifier: ClassifierSettings
    routing: RoutingSettings
    production: ClassificationResult


class CompareTicketShadowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    production: ClassificationResult
    candidate: ClassificationResult
    plan: str
    routing: RoutingSettings
