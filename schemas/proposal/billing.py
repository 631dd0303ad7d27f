"""What the billing system says: a customer's account, the preview of a change (the
dry run), and the receipt of a change applied. Money in integer minor units."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.money import MinorAmount
from schemas.proposal.events import Tier

BillingSystemName = Literal["local", "stripe"]


class BillingAccount(BaseModel):
    """A customer as billing records them, and whether a proposal already ran for them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: str
    found: bool
    system: BillingSystemName
    tier: Tier | None = None
    currency: str = ""
    # The subscription's current monthly amount, and each tier's monthly price.
    monthly_minor: MinorAmount = 0
    tier_prices_minor: dict[str, MinorAmount] = Field(default_factory=dict)
    arr_minor: MinorAmount = 0
    unpaid_invoices: int = 0
    unpaid_minor: MinorAmount = 0
    # The billing system's reference of the subscription item the change updates.
    subscription_ref: str = ""
    period_start: dt.datetime | None = None
    period_end: dt.datetime | None = None
    # The workflow that already executed this proposal (the ledger), if any.
    executed_by: str | None = None


class DryRun(BaseModel):
    """Exactly what the change would do, from the billing system's own preview."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: BillingSystemName
    currency: str
    old_price_minor: MinorAmount
    new_price_minor: MinorAmount
    # Credit (negative) or charge (positive) for the rest of the current period.
    proration_minor: MinorAmount
    next_invoice_total_minor: MinorAmount
    next_invoice_date: dt.datetime | None = None
    # The instant the proration is computed for; the change uses the same one, so the
    # preview and the change agree.
    proration_date: dt.datetime
    lines: list[str] = Field(default_factory=list)


class TierChange(BaseModel):
    """The change to apply (input of the preview and the execution activities)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workflow_id: str
    proposal_id: str
    customer_id: str
    subscription_ref: str
    from_tier: Tier
    to_tier: Tier
    proration_date: dt.datetime
    # Derived from the workflow id: a retried or re-run call is the same request.
    idempotency_key: str = Field(min_length=1, max_length=255)


class ExecutionReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    system: BillingSystemName
    ref: str
    # False: the change had already been applied by this workflow (found, not redone).
    created: bool
    new_price_minor: MinorAmount
    proration_minor: MinorAmount
    detail: str = ""
