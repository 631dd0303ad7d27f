"""A local Stripe fake with the tier prices and a few customers, and the settings that
point the proposal workflow's billing at it."""

from __future__ import annotations

import datetime as dt

from vouchflow.proposal.settings import BillingSettings, ProposalSettings, StripeSettings
from vouchflow.testing.fakes.stripe import FakeStripe

PRICES = {"basic": 2900, "standard": 9900, "premium": 29900}


def stock(fake: FakeStripe, now: dt.datetime) -> None:
    """Prices; cus_acme on standard, cus_cobalt on basic, cus_delta on premium with an
    open invoice; monthly periods anchored on the 1st."""
    for tier, amount in PRICES.items():
        fake.add_price(f"price_{tier}_monthly", amount)
    anchor = dt.datetime(now.year, now.month, 1, tzinfo=dt.UTC) - dt.timedelta(days=365)
    anchor = anchor.replace(day=1)
    fake.add_customer("cus_acme", price="price_standard_monthly", anchor=anchor)
    fake.add_customer("cus_cobalt", price="price_basic_monthly", anchor=anchor)
    fake.add_customer(
        "cus_delta", price="price_premium_monthly", anchor=anchor, open_invoices=[29900]
    )
    fake.clock = lambda: now


def stripe_settings(fake: FakeStripe, **policy: int) -> ProposalSettings:
    from vouchflow.proposal.settings import PolicySettings

    return ProposalSettings(
        billing=BillingSettings(system="stripe", stripe=StripeSettings(api_base=fake.base_url)),
        # Stripe ARR is the subscription's monthly amount x 12 (standard: USD 1,188.00).
        policy=PolicySettings(premium_min_arr_minor=100_000, **policy),
    )
