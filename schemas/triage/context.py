"""A customer's context as the customer store knows it: plan, ARR and account history."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.triage.events import Money


class PastTicket(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    opened_on: dt.date
    subject: str = Field(max_length=200)
    status: Literal["open", "pending", "solved", "closed"]


class Charge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    charged_on: dt.date
    amount: Money
    status: Literal["succeeded", "failed", "refunded", "disputed"]


class AccountInvoice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    issued_on: dt.date
    amount: Money
    status: Literal["paid", "open", "overdue", "void"]


class CustomerContext(BaseModel):
    """`source` says where plan and ARR come from: the store (authoritative) or, for a
    customer the store does not know, the event itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: str
    known: bool
    source: Literal["store", "event"]
    plan: str
    arr: Money
    region: str
    recent_tickets: list[PastTicket] = Field(default_factory=list)
    charges: list[Charge] = Field(default_factory=list)
    invoices: list[AccountInvoice] = Field(default_factory=list)
    # Where the event and the store disagree (plan, ARR, region): shown to reviewers.
    notes: list[str] = Field(default_factory=list)

    @property
    def failed_charges(self) -> int:
        return sum(1 for c in self.charges if c.status in ("failed", "disputed"))

    @property
    def overdue_invoices(self) -> int:
        return sum(1 for i in self.invoices if i.status == "overdue")
