"""Stripe as the billing system, through the official `stripe` SDK pointed at the
configured API base (`[proposal.billing.stripe] api_base`; tests point it at the local
fake).

    account  customer -> active subscription -> its item's price (= the tier, by the
             configured price ids) and period; open invoices; ARR = the subscription's
             monthly amount x 12
    preview  POST /v1/invoices/create_preview with the item's new price, the proration
             behaviour and the proration date: the dry run is Stripe's own arithmetic
    execute  POST /v1/subscription_items/{id}: price, proration_behavior, proration_date
             and the proposal id in metadata, with an Idempotency-Key from the workflow id

Exactly once, beyond Stripe's 24-hour idempotency window: the proposal is claimed in the
local ledger before the call (another workflow's claim is a duplicate), and the item is
read first: an item already on the new price with this proposal's id in its metadata was
changed by an earlier attempt, and is not changed again.

Temporal owns retries: the SDK runs with `max_network_retries=0`; a 429 becomes a
retryable error carrying Retry-After, 5xx and connection errors retry, anything else
(auth, bad request, idempotency conflict) does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import stripe

from schemas.proposal.billing import BillingAccount, DryRun, ExecutionReceipt, TierChange
from vouchflow.proposal.settings import StripeSettings
from vouchflow.stores.billing import BillingError, BillingStore, TierChanged

T = TypeVar("T")
PROPOSAL_METADATA = "vouchflow_proposal_id"


class StripeBillingError(BillingError):
    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def classify(err: stripe.StripeError) -> StripeBillingError:
    status = err.http_status or 0
    text = f"stripe {status or 'connection'}: {err.user_message or str(err)}"[:300]
    if isinstance(err, stripe.RateLimitError) or status == 429:
        after = _header(err.headers, "retry-after")
        try:
            delay = float(after) if after else None
        except ValueError:
            delay = None
        return StripeBillingError(text, retryable=True, retry_after_s=delay)
    if isinstance(err, stripe.APIConnectionError) or status >= 500:
        return StripeBillingError(text, retryable=True)
    return StripeBillingError(text, retryable=False)


def _at(ts: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(ts), dt.UTC) if ts else None


class StripeBilling:
    def __init__(self, settings: StripeSettings, *, api_key: str, ledger: BillingStore) -> None:
        self._settings = settings
        self._ledger = ledger
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": settings.api_base.rstrip("/")},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=settings.timeout.total_seconds()),
        )
        self._tiers = {price: tier for tier, price in settings.prices.items()}

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except stripe.StripeError as err:
            raise classify(err) from err

    def _price_minor(self, price_id: str) -> tuple[int, str]:
        price = self._call(lambda: self._client.v1.prices.retrieve(price_id))
        return int(price.unit_amount or 0), str(price.currency).upper()

    def account(self, customer_id: str, proposal_id: str, at: dt.datetime) -> BillingAccount:
        executed_by = self._ledger.executed_by(proposal_id)
        missing = BillingAccount(
            customer_id=customer_id, found=False, system="stripe", executed_by=executed_by
        )
        try:
            self._client.v1.customers.retrieve(customer_id)
        except stripe.InvalidRequestError as err:
            if err.code == "resource_missing":
                return missing
            raise classify(err) from err
        except stripe.StripeError as err:
            raise classify(err) from err
        subs = self._call(
            lambda: self._client.v1.subscriptions.list(
                {"customer": customer_id, "status": "active", "limit": 1}
            )
        )
        if not subs.data:
            return missing
        item = subs.data[0]["items"].data[0]
        tier = self._tiers.get(item.price.id)
        if tier is None:
            return missing.model_copy(update={"found": True})
        prices = {t: self._price_minor(p) for t, p in self._settings.prices.items()}
        monthly = int(item.price.unit_amount or 0) * int(item.quantity or 1)
        currency = str(item.price.currency).upper()
        invoices = self._call(
            lambda: self._client.v1.invoices.list(
                {"customer": customer_id, "status": "open", "limit": 100}
            )
        )
        return BillingAccount(
            customer_id=customer_id,
            found=True,
            system="stripe",
            tier=tier,
            currency=currency,
            monthly_minor=monthly,
            tier_prices_minor={t: amount for t, (amount, cur) in prices.items() if cur == currency},
            arr_minor=monthly * 12,
            unpaid_invoices=len(invoices.data),
            unpaid_minor=sum(int(i.amount_remaining or 0) for i in invoices.data),
            subscription_ref=str(item.id),
            period_start=_at(item.current_period_start),
            period_end=_at(item.current_period_end),
            executed_by=executed_by,
        )

    def _item(self, change: TierChange) -> Any:
        return self._call(
            lambda: self._client.v1.subscription_items.retrieve(change.subscription_ref)
        )

    def _preview(self, change: TierChange, subscription: str) -> Any:
        return self._call(
            lambda: self._client.v1.invoices.create_preview(
                {
                    "customer": change.customer_id,
                    "subscription": subscription,
                    "subscription_details": {
                        "items": [
                            {
                                "id": change.subscription_ref,
                                "price": self._settings.prices[change.to_tier],
                            }
                        ],
                        "proration_behavior": self._settings.proration_behavior,
                        "proration_date": int(change.proration_date.timestamp()),
                    },
                }
            )
        )

    @staticmethod
    def _proration(invoice: Any) -> int:
        total = 0
        for line in invoice.lines.data:
            # Stripe objects are not dicts; the plain form reads optional fields safely.
            parent = line.to_dict().get("parent") or {}
            details = parent.get("subscription_item_details") or {}
            if details.get("proration"):
                total += int(line.amount)
        return total

    def preview(self, change: TierChange) -> DryRun:
        item = self._item(change)
        if self._tiers.get(item.price.id) != change.from_tier:
            raise TierChanged(
                f"the subscription item is on price {item.price.id}, not {change.from_tier}"
            )
        invoice = self._preview(change, str(item.subscription))
        new_minor, _ = self._price_minor(self._settings.prices[change.to_tier])
        return DryRun(
            system="stripe",
            currency=str(invoice.currency).upper(),
            old_price_minor=int(item.price.unit_amount or 0),
            new_price_minor=new_minor,
            proration_minor=self._proration(invoice),
            next_invoice_total_minor=int(invoice.total),
            next_invoice_date=_at(invoice.to_dict().get("period_end")),
            proration_date=change.proration_date,
            lines=[f"{line.description}: {line.amount}" for line in invoice.lines.data][:10],
        )

    def execute(self, change: TierChange) -> ExecutionReceipt:
        done = self._ledger.claim(change, "stripe")
        if done is not None:
            return done
        new_price = self._settings.prices[change.to_tier]
        item = self._item(change)
        applied = (
            item.price.id == new_price
            and item.to_dict().get("metadata", {}).get(PROPOSAL_METADATA) == change.proposal_id
        )
        if not applied and self._tiers.get(item.price.id) != change.from_tier:
            raise TierChanged(
                f"the subscription item is on price {item.price.id}, not {change.from_tier}:"
                " nothing changed"
            )
        proration = 0
        if not applied:
            # Stripe's own proration for exactly this change (same date, same behaviour).
            proration = self._proration(self._preview(change, str(item.subscription)))
            item = self._call(
                lambda: self._client.v1.subscription_items.update(
                    change.subscription_ref,
                    {
                        "price": new_price,
                        "proration_behavior": self._settings.proration_behavior,
                        "proration_date": int(change.proration_date.timestamp()),
                        "metadata": {PROPOSAL_METADATA: change.proposal_id},
                    },
                    {"idempotency_key": change.idempotency_key},
                )
            )
        receipt = ExecutionReceipt(
            system="stripe",
            ref=str(item.id),
            created=not applied,
            new_price_minor=int(item.price.unit_amount or 0),
            proration_minor=proration,
            detail=f"{change.from_tier} -> {change.to_tier}"
            + ("" if not applied else " (found already applied)"),
        )
        self._ledger.settle(change, receipt)
        return receipt
