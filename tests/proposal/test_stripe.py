"""Stripe through the official SDK against the local fake that speaks its wire format:
the preview is Stripe's own arithmetic, the change is applied once under an
Idempotency-Key, errors are classified for Temporal's retries; then the workflow end to
end on Stripe through a 429 storm and a duplicate proposal (exactly one change)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe
from stripe.params import SubscriptionItemUpdateParams
from temporalio.testing import WorkflowEnvironment

from schemas.proposal.billing import TierChange
from tests.proposal.harness import proposal_harness, tier_request
from tests.proposal.stripe_setup import stock, stripe_settings
from vouchflow.proposal.settings import StripeSettings
from vouchflow.proposal.stripe_billing import StripeBilling, StripeBillingError
from vouchflow.settings import Settings
from vouchflow.stores.billing import DuplicateProposal, TierChanged
from vouchflow.stores.billing_sqlite import SqliteBillingStore
from vouchflow.testing.fakes.stripe import FakeStripe, decode_form

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe.start() as running:
        stock(running, NOW)
        yield running


@pytest.fixture
def ledger(tmp_path: Path) -> SqliteBillingStore:
    return SqliteBillingStore(tmp_path / "billing.sqlite3", seed_samples=False)


def billing(fake: FakeStripe, ledger: SqliteBillingStore, key: str | None = None) -> StripeBilling:
    return StripeBilling(
        StripeSettings(api_base=fake.base_url), api_key=key or fake.api_key, ledger=ledger
    )


def change(workflow_id: str = "tier-change-evt-1", **fields: object) -> TierChange:
    values: dict[str, object] = {
        "workflow_id": workflow_id,
        "proposal_id": "11111111-1111-5111-8111-111111111111",
        "customer_id": "cus_acme",
        "subscription_ref": "si_acme",
        "from_tier": "standard",
        "to_tier": "premium",
        "proration_date": NOW,
        "idempotency_key": f"{workflow_id}:tier-change",
        **fields,
    }
    return TierChange.model_validate(values)


def test_bracket_notation_is_decoded_as_stripe_does() -> None:
    form = decode_form(
        [
            ("subscription_details[items][0][id]", "si_1"),
            ("subscription_details[items][0][price]", "price_2"),
            ("subscription_details[proration_date]", "1700000000"),
            ("metadata[k]", "v"),
        ]
    )
    assert form == {
        "subscription_details": {
            "items": [{"id": "si_1", "price": "price_2"}],
            "proration_date": "1700000000",
        },
        "metadata": {"k": "v"},
    }


def test_account_preview_and_change_through_the_sdk(
    fake: FakeStripe, ledger: SqliteBillingStore
) -> None:
    client = billing(fake, ledger)
    account = client.account("cus_acme", "p-1", NOW)
    assert account.found and account.tier == "standard" and account.currency == "USD"
    assert account.monthly_minor == 9900 and account.arr_minor == 9900 * 12
    assert account.tier_prices_minor == {"basic": 2900, "standard": 9900, "premium": 29900}
    assert account.period_end == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert client.account("cus_delta", "p-1", NOW).unpaid_invoices == 1
    assert not client.account("cus_nobody", "p-1", NOW).found

    dry_run = client.preview(change())
    # 10.5 of 30 days left: credit 9900 * 10.5/30, charge 29900 * 10.5/30 (two lines).
    assert dry_run.proration_minor == -3465 + 10465
    assert dry_run.next_invoice_total_minor == 29900 + dry_run.proration_minor
    assert (dry_run.old_price_minor, dry_run.new_price_minor) == (9900, 29900)
    preview_request = next(r for r in fake.requests if r.path.endswith("create_preview"))
    assert preview_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert preview_request.body["subscription_details"]["proration_behavior"] == "create_prorations"

    receipt = client.execute(change())
    assert receipt.created and receipt.proration_minor == dry_run.proration_minor
    assert len(fake.changes) == 1
    assert fake.changes[0]["idempotency_key"] == "tier-change-evt-1:tier-change"
    update = next(r for r in fake.requests if r.path == "POST /v1/subscription_items/si_acme")
    assert update.headers["idempotency-key"] == "tier-change-evt-1:tier-change"
    assert update.body["metadata"] == {"vouchflow_proposal_id": change().proposal_id}
    # Again (a retried activity): the ledger answers, Stripe is not called to change it.
    again = client.execute(change())
    assert not again.created and len(fake.changes) == 1
    # The same proposal from another workflow is a duplicate.
    with pytest.raises(DuplicateProposal):
        client.execute(change("tier-change-evt-2"))
    assert [row["state"] for row in ledger.ledger()] == ["executed"]


def test_the_fake_enforces_stripe_idempotency(fake: FakeStripe) -> None:
    client = stripe.StripeClient(
        fake.api_key, base_addresses={"api": fake.base_url}, max_network_retries=0
    )
    params: SubscriptionItemUpdateParams = {
        "price": "price_premium_monthly",
        "proration_behavior": "none",
    }
    first = client.v1.subscription_items.update("si_cobalt", params, {"idempotency_key": "k-1"})
    replay = client.v1.subscription_items.update("si_cobalt", params, {"idempotency_key": "k-1"})
    assert first.price.id == replay.price.id == "price_premium_monthly"
    assert fake.idempotency_replays == 1 and len(fake.changes) == 1
    # Same key, other parameters: refused, nothing applied.
    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.subscription_items.update(
            "si_cobalt", {"price": "price_basic_monthly"}, {"idempotency_key": "k-1"}
        )
    assert fake.idempotency_conflicts == 1 and len(fake.changes) == 1
    # After 24 hours the key is forgotten: the request runs again.
    fake.clock = lambda: NOW + dt.timedelta(hours=24, seconds=1)
    client.v1.subscription_items.update(
        "si_cobalt", {"price": "price_basic_monthly"}, {"idempotency_key": "k-1"}
    )
    assert len(fake.changes) == 2


def test_errors_are_classified_for_temporal(fake: FakeStripe, ledger: SqliteBillingStore) -> None:
    fake.rate_limit(1, retry_after=7)
    with pytest.raises(StripeBillingError) as limited:
        billing(fake, ledger).account("cus_acme", "p", NOW)
    assert limited.value.retryable and limited.value.retry_after_s == 7.0
    with pytest.raises(StripeBillingError) as denied:
        billing(fake, ledger, key="sk_test_wrong").account("cus_acme", "p", NOW)
    assert not denied.value.retryable and "401" in str(denied.value)
    with pytest.raises(TierChanged):
        billing(fake, ledger).preview(change(from_tier="basic"))
    assert fake.rate_limited_answers == 1


async def test_workflow_on_stripe_through_a_429_storm_changes_once(
    time_skipping_env: WorkflowEnvironment, settings: Settings, fake: FakeStripe
) -> None:
    env = {"STRIPE_API_KEY": fake.api_key}
    async with proposal_harness(
        time_skipping_env, settings, proposal=stripe_settings(fake), env=env
    ) as h:
        now = await h.now()
        fake.clock = lambda: now
        # Medium risk: preview, checks, change; the change itself answered 429 six times.
        fake.rate_limit(6, retry_after=3, only="POST /v1/subscription_items")
        event = tier_request(
            "Please upgrade us to premium immediately.", customer_id="cus_acme", now=now
        )
        state = await h.run(event)
        assert state.status == "executed", state.status_reason
        assert state.route == "execute_after_checks" and state.dry_run is not None
        assert state.dry_run.system == "stripe"
        assert fake.rate_limited_answers == 6
        updates = [r for r in fake.requests if r.path == "POST /v1/subscription_items/si_acme"]
        assert len(updates) == 7  # six refused, then the one that ran
        assert {r.headers["idempotency-key"] for r in updates} == {
            f"{state.workflow_id}:tier-change"
        }
        assert len(fake.changes) == 1 and fake.changes[0]["to"] == "price_premium_monthly"
        assert fake.changes[0]["idempotency_key"] == f"{state.workflow_id}:tier-change"
        assert state.execution is not None
        assert state.execution.proration_minor == state.dry_run.proration_minor

        # The same change asked for again through another channel: refused, no change.
        second = tier_request(
            "Please upgrade us to premium immediately.",
            customer_id="cus_acme",
            now=now,
            source="ticket",
        )
        late = await h.run(second)
        assert late.status == "rejected" and late.rejection == "duplicate_proposal"
        assert len(fake.changes) == 1


async def test_workflow_on_stripe_waits_for_approval_with_stripes_preview(
    time_skipping_env: WorkflowEnvironment, settings: Settings, fake: FakeStripe
) -> None:
    env = {"STRIPE_API_KEY": fake.api_key}
    async with proposal_harness(
        time_skipping_env, settings, proposal=stripe_settings(fake), env=env
    ) as h:
        now = await h.now()
        fake.clock = lambda: now
        event = tier_request(
            "Move us to premium immediately.", customer_id="cus_cobalt", tier="basic", now=now
        )
        sub = await h.start(event)
        waiting = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert waiting.dry_run is not None and waiting.dry_run.system == "stripe"
        assert fake.changes == []
        assert (await h.decide(sub.workflow_id, "approve", "alice")).accepted
        state = await h.result(sub.workflow_id)
        assert state.status == "executed" and len(fake.changes) == 1
