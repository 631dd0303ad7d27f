"""Inputs of the proposal workflow's activities: one model each, carrying only the
settings section the activity needs."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from schemas.proposal.billing import TierChange
from schemas.proposal.events import TierChangeRequestedV1
from vouchflow.proposal.settings import BillingSettings, ParserSettings


class ResolveProposalPromptInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt_name: str
    prompt_label: str


class ProposalPromptRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    label: str
    model: str
    sha256: str


class ParseRequestInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    event: TierChangeRequestedV1
    provider: str
    prompt_name: str | None = None
    prompt_version: str | None = None
    token_budget_remaining: int
    settings: ParserSettings


class LoadAccountInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str
    proposal_id: str
    # The workflow's time: the current billing period is the one at this instant.
    at: dt.datetime
    billing: BillingSettings


class BillingChangeInput(BaseModel):
    """The preview and the execution of one change."""

    model_config = ConfigDict(extra="forbid")

    change: TierChange
    billing: BillingSettings
