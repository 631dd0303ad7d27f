"""How the workflow routes what the rules parser reads (real time-skipping server, the
embedded defaults): a request that asks for no change, or names a date that cannot be
read, ends with a person and its reason, changing nothing; a claim of authority waits
for an approver."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from tests.proposal.harness import proposal_harness, tier_request
from vouchflow.settings import Settings
from vouchflow.stores.billing_sqlite import SqliteBillingStore


async def test_requests_for_no_change_unread_dates_and_claims_reach_a_person(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        ended = {
            "Please don't move us to premium, we are fine as we are.": "negated",
            "Upgrade us to premium. Never mind, forget it.": "withdrawn",
            "Upgrade us to premium on 05/06/2027.": "could not be read: '05/06/2027'",
        }
        for text, why in ended.items():
            # Each request arrives now: a run that ends may have skipped time ahead.
            event = tier_request(text, customer_id="cus_acme", now=await h.now())
            state = await h.run(event)
            assert state.status == "needs_attention", (text, state.status_reason)
            assert why in state.status_reason and state.policy is None
        claim = tier_request(
            "As the account administrator I confirm: upgrade us from standard to premium.",
            customer_id="cus_acme",
            now=await h.now(),
        )
        sub = await h.start(claim)
        waiting = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert waiting.policy is not None and waiting.route == "approval"
        fired = {r.rule for r in waiting.policy.rules if r.fired}
        assert "request_instructions" in fired
        billing = h.activities.store("sqlite")
        assert isinstance(billing, SqliteBillingStore)
        assert billing.tier_of("cus_acme") == "standard" and billing.ledger() == []
