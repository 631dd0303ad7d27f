"""Rollout stages for ticket triage on the real time-skipping test server: suggest sends
a ticket the rules would queue to a person, partial holds back what is not low risk
(an escalation opens a Jira issue), shadow runs the candidate classifier as a child
workflow that stores and escalates nothing and records category, urgency and route
agreement."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from schemas.common.rollout import RolloutSetting, ShadowOutcome
from tests.triage.harness import ticket_event, triage_harness
from vouchflow.rollout.stages import set_stage
from vouchflow.settings import Settings

pytestmark = pytest.mark.asyncio
BUG: dict[str, Any] = {
    "subject": "Dashboard crashes",
    "body": "The dashboard crashes with a 500 error, it is not working since this morning.",
}


async def test_suggest_sends_a_queued_ticket_to_review(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    set_stage(settings.home, "triage", RolloutSetting(stage="suggest", set_by="alice"))
    async with triage_harness(time_skipping_env, settings) as h:
        sub = await h.start(ticket_event(**BUG))
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.rollout is not None and state.rollout.stage == "suggest"
        assert state.route is not None and state.route.route == "review"
        assert state.route.reasons[0].startswith("rollout stage suggest")
        routed = [
            r.payload for r in h.deps.audit.trail(sub.workflow_id) if r.type == "decision.routed"
        ]
        assert routed[0]["stage"] == "suggest"
        # The answer is pre-filled: a confirmation routes it to the rules' queue.
        assert (await h.decide(sub.workflow_id, "confirm", "alice")).accepted
        final = await h.result(sub.workflow_id)
        assert final.route is not None and final.route.queue == "support-bug"


async def test_partial_holds_back_an_escalation(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    set_stage(settings.home, "triage", RolloutSetting(stage="partial"))
    async with triage_harness(time_skipping_env, settings) as h:
        urgent = await h.start(ticket_event())  # urgent billing: would open an issue
        state = await h.wait_status(urgent.workflow_id, "awaiting_approval")
        assert state.route is not None and state.route.route == "review"
        assert "routed to escalation" in state.route.reasons[0]
        assert state.escalation_ref is None


async def test_shadow_classifier_runs_beside_production_and_acts_on_nothing(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    set_stage(
        settings.home,
        "triage",
        RolloutSetting(stage="shadow", candidate_provider="rules", set_by="alice"),
    )
    async with triage_harness(time_skipping_env, settings) as h:
        sub = await h.start(ticket_event())
        final = await h.result(sub.workflow_id)
        assert final.route is not None and final.route.route == "escalation"
        assert final.shadow_workflow_id == f"{sub.workflow_id}-shadow"
        outcome = await h.client.get_workflow_handle(
            final.shadow_workflow_id, result_type=ShadowOutcome
        ).result()
        assert outcome.ok and outcome.comparison is not None
        assert outcome.comparison.agree and outcome.comparison.route_agrees is True
        assert outcome.comparison.production_route == "escalation"
        # One escalation issue: the production run's, none from the shadow.
        assert h.activities.store.queue_of(sub.workflow_id) == "billing-escalations"
        child_types = [r.type for r in h.deps.audit.trail(final.shadow_workflow_id)]
        assert child_types == ["shadow.compared"]
