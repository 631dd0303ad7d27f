"""The tier-change workflow on the real time-skipping test server with the embedded
defaults (rules parser, local billing store): every validation outcome, each risk
tier, approval and refusal, the dry run shown before approval, duplicates."""

from __future__ import annotations

import datetime as dt

from temporalio.testing import WorkflowEnvironment

from schemas.proposal.proposal import proposal_id_for
from tests.proposal.harness import ProposalHarness, proposal_harness, tier_request
from vouchflow.settings import Settings
from vouchflow.stores.billing_sqlite import SqliteBillingStore


def store(h: ProposalHarness) -> SqliteBillingStore:
    billing = h.activities.store("sqlite")
    assert isinstance(billing, SqliteBillingStore)
    return billing


def next_first(now: dt.datetime) -> str:
    """The 1st of next month as the customer would write it."""
    return "the 1st of next month"


async def test_low_risk_executes_at_the_next_period(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        now = await h.now()
        event = tier_request(
            "Hello, please move us to standard from the 1st of next month.",
            customer_id="cus_bluebird",
            tier="basic",
            now=now,
        )
        state = await h.run(event)
        assert state.status == "executed", state.status_reason
        assert state.risk == "low" and state.route == "execute"
        assert state.dry_run is None  # low risk: executed without a person
        assert state.policy is not None and state.policy.policy_version == "tier-change-policy/1"
        assert state.execution is not None and state.execution.proration_minor == 0
        assert store(h).tier_of("cus_bluebird") == "standard"
        types = h.audit_types(state.workflow_id)
        for t in (
            "workflow.started",
            "proposal.proposed",
            "proposal.validated",
            "policy.decided",
            "change.scheduled",
            "effect.intent",
            "effect.outcome",
            "proposal.executed",
            "workflow.finished",
        ):
            assert t in types, t
        # Audit before effect: the policy decision and the intent precede the outcome.
        assert types.index("policy.decided") < types.index("effect.intent")
        assert types.index("effect.intent") < types.index("effect.outcome")
