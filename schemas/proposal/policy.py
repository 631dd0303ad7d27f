"""The part of the `[proposal]` configuration a workflow runs by: loaded once by an
activity, so the values are fixed in its history (a configuration change affects new
requests, never a replay)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from vouchflow.proposal.settings import (
    ApprovalSettings,
    BillingSettings,
    ParserSettings,
    PolicySettings,
    ValidationSettings,
)


class ProposalPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    parser: ParserSettings
    validation: ValidationSettings
    policy: PolicySettings
    approval: ApprovalSettings
    billing: BillingSettings
