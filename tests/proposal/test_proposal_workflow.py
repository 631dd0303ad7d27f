"""The tier-change workflow on the real time-skipping test server with the embedded
defaults (rules parser, local billing store): every validation outcome, each risk
tier, approval and refusal, the dry run shown before approval, duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from temporalio.testing import WorkflowEnvironment

from schemas.proposal.events import TierChangeRequestedV1
from schemas.proposal.proposal import TierUpgradeProposal, proposal_id_for
from schemas.proposal.state import ProposalState
from tests.proposal.harness import ProposalHarness, proposal_harness, tier_request
from vouchflow.settings import Settings
from vouchflow.stores.billing_sqlite import SqliteBillingStore


def proposal_of(state: ProposalState) -> TierUpgradeProposal:
    assert state.result is not None and state.result.proposal is not None
    return state.result.proposal


def store(h: ProposalHarness) -> SqliteBillingStore:
    billing = h.activities.store("sqlite")
    assert isinstance(billing, SqliteBillingStore)
    return billing


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
            "effect.intent:billing.tier_change",
            "effect.outcome:billing.tier_change",
            "proposal.executed",
            "workflow.finished",
        ):
            assert t in types, t
        # Audit before effect: the policy decision and the intent precede the outcome.
        assert types.index("policy.decided") < types.index("effect.intent:billing.tier_change")
        assert types.index("effect.intent:billing.tier_change") < types.index(
            "effect.outcome:billing.tier_change"
        )


async def test_medium_risk_executes_after_checks_on_the_billing_preview(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        now = await h.now()
        event = tier_request(
            "We'd like to upgrade to premium immediately, we need the extra seats.",
            customer_id="cus_acme",
            tier="standard",
            now=now,
        )
        state = await h.run(event)
        assert state.status == "executed", state.status_reason
        assert state.risk == "medium" and state.route == "execute_after_checks"
        assert state.checks is not None and state.checks.passed
        assert {c.check for c in state.checks.checks} >= {"preview_new_price", "next_invoice_cap"}
        dry_run, receipt = state.dry_run, state.execution
        assert dry_run is not None and receipt is not None
        assert (dry_run.old_price_minor, dry_run.new_price_minor) == (9900, 29900)
        # The change used exactly the previewed proration (same instant, same arithmetic).
        assert 0 < dry_run.proration_minor <= 20000
        assert receipt.proration_minor == dry_run.proration_minor
        assert store(h).invoice_items("cus_acme") == [
            (f"ii_{proposal_of(state).proposal_id}", dry_run.proration_minor)
        ]
        types = h.audit_types(state.workflow_id)
        assert types.index("dry_run.previewed") < types.index("checks.completed")
        assert types.index("checks.completed") < types.index("effect.intent:billing.tier_change")


async def test_failed_automated_checks_send_a_medium_change_to_a_person(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    from vouchflow.proposal.settings import PolicySettings, ProposalSettings

    tight = ProposalSettings(policy=PolicySettings(max_next_invoice_minor=10_000))
    async with proposal_harness(time_skipping_env, settings, proposal=tight) as h:
        now = await h.now()
        event = tier_request(
            "Please upgrade to premium immediately.", customer_id="cus_acme", now=now
        )
        sub = await h.start(event)
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.policy is not None and state.policy.risk == "medium"
        assert state.risk == "high" and state.route == "approval"
        assert state.escalated and "next_invoice_cap" in state.escalated
        assert "risk.escalated" in h.audit_types(sub.workflow_id)
        reply = await h.decide(sub.workflow_id, "approve", "alice")
        assert reply.accepted, reply.reason
        final = await h.result(sub.workflow_id)
        assert final.status == "executed" and final.approved_by == "alice"


async def test_high_risk_shows_the_dry_run_then_executes_on_approval(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        now = await h.now()
        event = tier_request(
            "Move us to premium from the 1st of next month please, we are growing fast.",
            customer_id="cus_cobalt",
            tier="basic",
            now=now,
        )
        sub = await h.start(event)
        waiting = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert waiting.risk == "high" and waiting.route == "approval"
        assert waiting.policy is not None
        fired = {r.rule for r in waiting.policy.rules if r.fired}
        assert fired == {"premium_arr", "monthly_change_threshold"}
        # The dry run is in the state (and the notification) before anyone decides.
        dry_run = waiting.dry_run
        assert dry_run is not None and dry_run.system == "local"
        assert (dry_run.old_price_minor, dry_run.new_price_minor) == (2900, 29900)
        assert dry_run.proration_minor == 0  # starts with the next period
        assert dry_run.next_invoice_total_minor == 29900
        assert store(h).tier_of("cus_cobalt") == "basic"  # nothing changed while waiting
        # A typed name is not an identity: refused and audited.
        await h.handle(sub.workflow_id).signal("approve", {"reviewer": "alice"})
        await h.wait_for(sub.workflow_id, lambda s: s.refused_decisions == 1)
        reply = await h.decide(sub.workflow_id, "approve", "alice", comment="ok, growing")
        assert reply.accepted, reply.reason
        state = await h.result(sub.workflow_id)
        assert state.status == "executed" and state.approved_by == "alice"
        accepted = [d for d in state.decisions if d.accepted]
        assert len(accepted) == 1 and accepted[0].proof.startswith("token:")
        assert store(h).tier_of("cus_cobalt") == "premium"
        types = h.audit_types(sub.workflow_id)
        assert types.index("dry_run.previewed") < types.index("decision.approved")
        assert types.index("decision.refused") < types.index("decision.approved")
        assert types.index("decision.approved") < types.index("effect.intent:billing.tier_change")


async def test_rejection_and_unlisted_approvers_change_nothing(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    from vouchflow.proposal.settings import ApprovalSettings, ProposalSettings

    listed = ProposalSettings(approval=ApprovalSettings(approvers=["carol"]))
    async with proposal_harness(time_skipping_env, settings, proposal=listed) as h:
        now = await h.now()
        event = tier_request(
            "Upgrade to premium from the 1st of next month.",
            customer_id="cus_cobalt",
            tier="basic",
            now=now,
        )
        sub = await h.start(event)
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        refused = await h.decide(sub.workflow_id, "approve", "mallory")
        assert not refused.accepted and "may not approve" in refused.reason
        reply = await h.decide(sub.workflow_id, "reject", "carol", reason="ARR too low")
        assert reply.accepted
        state = await h.result(sub.workflow_id)
        assert state.status == "rejected" and state.rejection == "rejected_by_approver"
        assert "carol" in state.status_reason and state.execution is None
        assert store(h).tier_of("cus_cobalt") == "basic"
        assert store(h).ledger() == []


async def test_unanswered_approval_expires_with_a_reminder(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        now = await h.now()
        event = tier_request(
            "Upgrade to premium from the 1st of next month.",
            customer_id="cus_cobalt",
            tier="basic",
            now=now,
        )
        state = await h.run(event)
        assert state.status == "expired" and state.reminders_sent == 1
        assert store(h).tier_of("cus_cobalt") == "basic"
        types = h.audit_types(state.workflow_id)
        assert "approval.reminder" in types and "approval.expired" in types


async def test_policy_refuses_a_downgrade_with_unpaid_invoices(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        now = await h.now()
        event = tier_request(
            "Please downgrade us from premium to standard from the 1st of next month.",
            customer_id="cus_delta",
            tier="premium",
            now=now,
        )
        state = await h.run(event)
        assert state.status == "rejected" and state.rejection == "downgrade_unpaid_invoices"
        assert state.policy is not None and state.policy.route == "refused"
        records = {r.type: r for r in h.deps.audit.trail(state.workflow_id)}
        assert records["decision.rejected"].payload["policy_version"] == "tier-change-policy/1"
        assert store(h).tier_of("cus_delta") == "premium"


async def test_every_validation_outcome(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    # The test server skips time while nothing runs: each request is dated when it is sent.
    cases: dict[str, Callable[[dt.datetime], TierChangeRequestedV1]] = {
        "customer_not_found": lambda now: tier_request(
            "Move us to premium next month.", customer_id="cus_nobody", now=now
        ),
        "tier_mismatch": lambda now: tier_request(
            "We are on basic and want to move to premium next month.",
            customer_id="cus_ember",
            now=now,
        ),
        "no_change": lambda now: tier_request(
            "Please switch us to standard from next month.", customer_id="cus_fjord", now=now
        ),
        "effective_date_in_past": lambda now: tier_request(
            f"Upgrade to premium on {(now - dt.timedelta(days=3)).date()}.",
            customer_id="cus_fjord",
            now=now,
        ),
        "effective_date_beyond_horizon": lambda now: tier_request(
            f"Upgrade to premium on {(now + dt.timedelta(days=200)).date()}.",
            customer_id="cus_fjord",
            now=now,
        ),
    }
    async with proposal_harness(time_skipping_env, settings) as h:
        for outcome, make in cases.items():
            state = await h.run(make(await h.now()))
            assert state.status == "rejected", (outcome, state.status_reason)
            assert state.validation is not None and state.validation.outcome == outcome
            assert state.rejection == outcome and state.policy is None
        assert store(h).ledger() == []


async def test_unreadable_request_needs_attention(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with proposal_harness(time_skipping_env, settings) as h:
        now = await h.now()
        state = await h.run(tier_request("Why is my invoice so high?", now=now))
        assert state.status == "needs_attention" and "names no tier" in state.status_reason
        assert state.result is not None and state.result.parser.label.endswith("(no model)")


async def test_a_duplicate_proposal_executes_exactly_once(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    """The same change asked for twice (an email and a ticket), at the same time: one
    change in billing; the other is refused as a duplicate. A redelivered event attaches."""
    async with proposal_harness(time_skipping_env, settings) as h:
        now = await h.now()
        text = "Please upgrade to premium immediately."
        first = tier_request(text, customer_id="cus_fjord", now=now, source="email")
        second = tier_request(text, customer_id="cus_fjord", now=now, source="ticket")
        subs = [await h.start(first), await h.start(second)]
        again = await h.start(first)
        assert not again.started and again.workflow_id == subs[0].workflow_id
        states = [await h.result(s.workflow_id) for s in subs]
        assert sorted(s.status for s in states) == ["executed", "rejected"]
        loser = next(s for s in states if s.status == "rejected")
        assert loser.rejection == "duplicate_proposal"
        proposal = proposal_of(states[0])
        proposal_id = proposal_id_for("cus_fjord", "premium", proposal.effective_date)
        assert proposal_of(states[1]).proposal_id == proposal_id == proposal.proposal_id
        assert [row["proposal_id"] for row in store(h).ledger()] == [str(proposal_id)]
        assert len(store(h).invoice_items("cus_fjord")) == 1
        assert store(h).tier_of("cus_fjord") == "premium"
        # Asked again later: refused at validation (the ledger knows it ran).
        third = tier_request(text, customer_id="cus_fjord", now=now, source="chat")
        late = await h.run(third)
        assert late.rejection == "duplicate_proposal" and late.validation is not None
        assert late.validation.outcome == "duplicate_proposal"
