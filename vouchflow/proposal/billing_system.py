"""The billing system a tier change is previewed and applied in.

`LocalBilling`: the local billing store (vouchflow/stores/billing.py), the embedded
default. `StripeBilling` (vouchflow/proposal/stripe_billing.py): Stripe, through the
official SDK; the ledger of executed proposals stays in the local store either way, so a
proposal is refused as a duplicate whichever system applied it.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from schemas.proposal.billing import BillingAccount, DryRun, ExecutionReceipt, TierChange
from vouchflow.stores.billing import BillingStore


class BillingSystem(Protocol):
    def account(self, customer_id: str, proposal_id: str, at: dt.datetime) -> BillingAccount: ...

    def preview(self, change: TierChange) -> DryRun: ...

    def execute(self, change: TierChange) -> ExecutionReceipt: ...


class LocalBilling:
    def __init__(self, store: BillingStore) -> None:
        self.store = store

    def account(self, customer_id: str, proposal_id: str, at: dt.datetime) -> BillingAccount:
        return self.store.account(customer_id, proposal_id, at)

    def preview(self, change: TierChange) -> DryRun:
        return self.store.preview(change)

    def execute(self, change: TierChange) -> ExecutionReceipt:
        return self.store.execute(change)
