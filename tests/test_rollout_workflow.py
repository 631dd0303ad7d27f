"""Rollout stages on the real time-skipping test server: each run pins its stage at
start (history + audit), suggest sends everything that would act to a person, partial
lets only low-risk invoices act, shadow runs the candidate as a child workflow that acts
on nothing and records its agreement."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from schemas.common.rollout import RolloutSetting, ShadowOutcome
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.rollout.stages import set_stage
from vouchflow.settings import Settings

pytestmark = pytest.mark.asyncio


def bills(h: Harness) -> list[str]:
    ledger = h.deps.destination
    assert isinstance(ledger, LocalLedger)
    return [bill.bill_id for bill in ledger.list_bills()]


def trail_types(h: Harness, workflow_id: str) -> list[str]:
    return [r.type for r in h.deps.audit.trail(workflow_id)]


async def test_suggest_sends_an_auto_draftable_invoice_to_review_with_the_answer(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    set_stage(settings.home, "invoice", RolloutSetting(stage="suggest", set_by="alice"))
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number="RS-1").bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.rollout is not None and state.rollout.stage == "suggest"
        assert state.assessment is not None
        assert state.assessment.decision.route == "review"
        assert "rollout stage suggest" in state.assessment.decision.reasons[0]
        # Pre-filled: the extracted answer is there for the reviewer.
        assert state.assessment.invoice.invoice_number == "RS-1"
        assert bills(h) == []
        trail = h.deps.audit.trail(sub.workflow_id)
        pinned = [r for r in trail if r.type == "rollout.pinned"]
        assert pinned and pinned[0].payload["stage"] == "suggest"
        routed = [r for r in trail if r.type == "decision.routed"]
        assert routed[0].payload["stage"] == "suggest"
        # A person's approval acts as usual.
        reply = await h.decide(sub.workflow_id, "approve", "alice")
        assert reply.accepted, reply.reason
        await h.wait_status(sub.workflow_id, "drafted")
        assert len(bills(h)) == 1


async def test_partial_lets_only_low_risk_invoices_act(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    set_stage(settings.home, "invoice", RolloutSetting(stage="partial"))
    async with running_harness(time_skipping_env, settings) as h:
        small = await h.submit(TextInvoice(number="RP-1").bytes())
        # GBP 1,800.00: auto-drafted under `full` (limit 5,000.00), above the low-risk cap.
        larger = await h.submit(
            TextInvoice(number="RP-2", lines=[Line("Office chairs", 10, 15000)]).bytes()
        )
        small_state = await h.wait_status(small.workflow_id, "drafted")
        assert small_state.assessment is not None
        assert small_state.assessment.decision.route == "auto_draft"
        assert "rollout stage partial: low risk" in small_state.assessment.decision.reasons[-1]
        larger_state = await h.wait_status(larger.workflow_id, "awaiting_approval")
        assert larger_state.assessment is not None
        reason = larger_state.assessment.decision.reasons[0]
        assert reason.startswith("rollout stage partial: not low risk"), reason
        assert "low-risk cap" in reason
        assert len(bills(h)) == 1


async def test_a_stage_change_affects_new_runs_only(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        first = await h.submit(TextInvoice(number="RN-1").bytes())
        state = await h.wait_status(first.workflow_id, "drafted")
        assert state.rollout is not None and state.rollout.stage == "full"
        set_stage(settings.home, "invoice", RolloutSetting(stage="suggest"))
        second = await h.submit(TextInvoice(number="RN-2").bytes())
        assert (await h.wait_status(second.workflow_id, "awaiting_approval")).rollout
        again = await h.state(first.workflow_id)
        assert again.rollout is not None and again.rollout.stage == "full"


async def test_shadow_runs_the_candidate_as_a_child_that_acts_on_nothing(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    set_stage(
        settings.home,
        "invoice",
        RolloutSetting(stage="shadow", candidate_provider="rules", set_by="alice"),
    )
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number="RSH-1").bytes())
        state = await h.wait_status(sub.workflow_id, "drafted")
        # Production acts as in `full`: one draft, from production's answer.
        assert state.rollout is not None and state.rollout.stage == "shadow"
        assert state.shadow_workflow_id == f"{sub.workflow_id}-shadow"
        child = h.client.get_workflow_handle(state.shadow_workflow_id, result_type=ShadowOutcome)
        outcome = await child.result()
        assert outcome.ok and outcome.comparison is not None
        assert outcome.comparison.agree, outcome.comparison
        assert outcome.comparison.compared_fields == 5
        description = await child.describe()
        assert description.status == WorkflowExecutionStatus.COMPLETED
        assert description.parent_id == sub.workflow_id
        assert len(bills(h)) == 1
        assert "shadow.started" in trail_types(h, sub.workflow_id)
        compared = [
            r for r in h.deps.audit.trail(state.shadow_workflow_id) if r.type == "shadow.compared"
        ]
        assert len(compared) == 1
        assert compared[0].payload["agreed"] is True
        assert compared[0].payload["candidate"] == "rules"
        # The shadow child only extracted and compared: no effect intent anywhere.
        assert "effect.intent" not in trail_types(h, state.shadow_workflow_id)
