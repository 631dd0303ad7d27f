"""The `tier_change.requested` v1 event: what starts a tier-change proposal workflow.

``event`` carries the name and version in one literal, ``"tier_change.requested.v1"``; an
incompatible change gets a new literal and a new model, never an edit of this one.
Unknown fields are refused, so a producer's typo fails at intake.

``event_id`` is the idempotency key: the workflow id derives from it, so the same event
delivered twice is one workflow and at most one change.

``text`` is the customer's own words (an email or ticket body) and is untrusted: only the
parser reads it, and nothing it says is a permission. ``customer.tier`` is the tier the
sending system believes the customer is on; the billing record decides.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

EVENT_NAME = "tier_change.requested.v1"
# A request longer than this is not a tier-change request (or is an attack on the
# history size); it is refused at intake.
MAX_TEXT_CHARS = 5_000

Tier = Literal["basic", "standard", "premium"]
TIERS: tuple[str, ...] = ("basic", "standard", "premium")

EventId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
CustomerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
Source = Literal["email", "ticket", "chat", "api"]


class RequestingCustomer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: CustomerId
    # What the sending system records; the proposal states the tier, billing checks it.
    tier: Tier


class TierChangeRequestedV1(BaseModel):
    """`tier_change.requested` v1 (see the module docstring for the field contract)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: Literal["tier_change.requested.v1"]
    event_id: EventId
    created_at: AwareDatetime
    source: Source
    customer: RequestingCustomer
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS)]
    # Informational only (an e-mail address or a name): never an identity.
    requested_by: Annotated[str, StringConstraints(max_length=200)] = ""


def proposal_workflow_id(event_id: str) -> str:
    """Same event, same workflow: a redelivery attaches to the first one."""
    return f"tier-change-{event_id}"
