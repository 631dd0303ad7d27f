"""The proposal a parser (the rules parser or a model) makes from a request.

`TierUpgradeProposal` has exactly the documented fields. A parser fills what the text
says (`ProposalReading`: tiers, effective date, justification, metadata); code adds what
must not come from a model: `customer_id` (from the event) and `proposal_id`, a UUID
derived from the change itself (customer, target tier, effective day), so the same change
asked for twice, through any channel, is one proposal and executes once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from schemas.invoice.extraction import LlmAttempt, TokenUsage
from schemas.proposal.events import CustomerId, Tier

# Fixed namespace: proposal ids must be the same on every machine and every release.
PROPOSAL_NAMESPACE = uuid.UUID("7d6c0f9e-3a51-5b2e-9c4d-6f1e2a8b0c37")
OUTPUT_SCHEMA_NAME = "tier_change_proposal_v1"

Justification = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)
]
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
MetadataValue = Annotated[str, StringConstraints(max_length=200)]


class TierUpgradeProposal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    proposal_id: uuid.UUID
    customer_id: CustomerId
    current_tier: Tier
    target_tier: Tier
    effective_date: AwareDatetime
    justification: Justification
    metadata: dict[MetadataKey, MetadataValue] | None = Field(default=None, max_length=10)


class ProposalReading(BaseModel):
    """What a parser read from the text (validated locally, whoever produced it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    current_tier: Tier
    target_tier: Tier
    effective_date: AwareDatetime
    justification: Justification
    metadata: dict[MetadataKey, MetadataValue] | None = Field(default=None, max_length=10)


def proposal_id_for(customer_id: str, target_tier: str, effective_date: dt.datetime) -> uuid.UUID:
    """The same change (customer, target tier, effective UTC day) is the same proposal."""
    day = effective_date.astimezone(dt.UTC).date().isoformat()
    return uuid.uuid5(PROPOSAL_NAMESPACE, f"{customer_id}|{target_tier}|{day}")


def build_proposal(customer_id: str, reading: ProposalReading) -> TierUpgradeProposal:
    return TierUpgradeProposal(
        proposal_id=proposal_id_for(customer_id, reading.target_tier, reading.effective_date),
        customer_id=customer_id,
        current_tier=reading.current_tier,
        target_tier=reading.target_tier,
        effective_date=reading.effective_date,
        justification=reading.justification,
        metadata=reading.metadata,
    )


class ParserInfo(BaseModel):
    """Which parser read the request: recorded with every proposal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["rules", "openai", "anthropic", "openai-compatible", "none"]
    # Shown to people: the rules parser is labelled as such, never passed off as a model.
    label: str
    model: str | None = None
    prompt_name: str | None = None
    prompt_version: str | None = None
    settings: dict[str, str] = Field(default_factory=dict)


class ProposalResult(BaseModel):
    """A parser's answer: a proposal, or why there is none (the workflow fails closed)."""

    model_config = ConfigDict(extra="forbid")

    proposal: TierUpgradeProposal | None
    parser: ParserInfo
    usage: TokenUsage = Field(default_factory=TokenUsage)
    attempts: list[LlmAttempt] = Field(default_factory=list)
    injection_flags: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    failure_reason: str | None = None
