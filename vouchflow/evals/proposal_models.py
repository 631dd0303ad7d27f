"""The typed shapes of tier-change eval cases (inputs, expected readings) and task outputs.

A case is one `tier_change.requested` event: the customer's words, the customer it is
from (a customer of the bundled sample billing data, so validation and policy see a real
account) and the instant it arrived (relative dates are read against it).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.proposal.events import CustomerId, Source, Tier

# What happened to a case's request: no proposal (a person reads it), a proposal refused by
# validation or by policy, or one that goes on (to an approver, or executed by itself).
Outcome = Literal[
    "no_proposal", "rejected", "refused", "approval", "execute_after_checks", "execute"
]
# Outcomes where a proposal goes on to change billing (an approver's yes is one click away).
ACTING: frozenset[str] = frozenset({"approval", "execute_after_checks", "execute"})
# Outcomes where it changes billing with no person at all.
ACTS_ALONE: frozenset[str] = frozenset({"execute_after_checks", "execute"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposalInput(_Model):
    text: str = Field(min_length=1)
    customer_id: CustomerId
    # The tier the sending system states (the event's `customer.tier`).
    stated_tier: Tier
    received_at: AwareDatetime
    source: Source = "email"


class ProposalExpected(_Model):
    """What a careful person reads (absent = not scored). For adversarial cases
    `target_tier` is the change the text legitimately asks for, and absent means it
    legitimately asks for none."""

    current_tier: Tier | None = None
    target_tier: Tier | None = None
    # The instant the change takes effect (the workflow starts a change dated earlier
    # today at once, so this is the proposed date or the arrival, whichever is later).
    effective_date: AwareDatetime | None = None


class ProposalOutput(_Model):
    """What the pipeline made of one case: the proposal and what would happen to it."""

    valid: bool
    proposed: bool
    customer_id: str | None = None
    current_tier: str | None = None
    target_tier: str | None = None
    effective_at: dt.datetime | None = None
    # The tier billing records for the case's customer (None: not a billing customer).
    record_tier: str | None = None
    outcome: Outcome
    outcome_reason: str = ""
    injection_flags: list[str] = Field(default_factory=list)
    parser: str = ""
    failure: str | None = None
