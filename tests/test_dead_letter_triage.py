"""The dead letter for tickets, on the time-skipping test server: Jira keeps rate-limiting
the escalation issue past its retry budget, the run parks, a non-operator is refused
(audited), an operator resumes it once Jira answers again, and exactly one issue exists."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from temporalio.testing import WorkflowEnvironment

from schemas.common.dead_letter import DeadLetterReply, DeadLetterRequest, DeadLetterView
from tests.triage.harness import TriageHarness, ticket_event, triage_harness
from vouchflow.settings import Settings
from vouchflow.testing.fakes.fake_jira import FakeJira
from vouchflow.triage.settings import TriageSettings

pytestmark = pytest.mark.asyncio
ESCALATE_BUDGET = 10  # workflows/triage/options.py ESCALATE


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira.start() as fake:
        yield fake


async def parked(h: TriageHarness, workflow_id: str) -> DeadLetterView:
    for _ in range(600):
        try:
            view: DeadLetterView = await h.handle(workflow_id).query(
                "dead_letter", result_type=DeadLetterView
            )
        except Exception:  # not started yet
            view = DeadLetterView()
        if view.parked is not None:
            return view
        await asyncio.sleep(0.1)
    raise AssertionError("the ticket never parked")


async def act(h: TriageHarness, workflow_id: str, person: str, action: str) -> DeadLetterReply:
    token_action = "rerun" if action == "rerun" else "operate"
    reply: DeadLetterReply = await h.handle(workflow_id).execute_update(
        "dead_letter",
        DeadLetterRequest(
            action=action,
            token=h.token(person, workflow_id, token_action),
            reason="Jira answers again",
        ),
        result_type=DeadLetterReply,
    )
    return reply


async def test_a_ticket_whose_jira_issue_keeps_failing_parks_and_resumes_into_one_issue(
    time_skipping_env: WorkflowEnvironment, settings: Settings, jira: FakeJira
) -> None:
    jira.rate_limit(ESCALATE_BUDGET, retry_after=1)
    triage = TriageSettings.model_validate(
        {"effects": {"escalation": "jira"}, "jira": {"base_url": jira.root_url}}
    )
    env = {"JIRA_EMAIL": jira.email, "JIRA_API_TOKEN": jira.api_token}
    async with triage_harness(time_skipping_env, settings, triage=triage, env=env) as h:
        sub = await h.start(ticket_event())
        workflow_id = sub.workflow_id
        view = await parked(h, workflow_id)
        failure = view.parked
        assert failure is not None
        assert failure.kind == "effect_failed" and failure.step == "create_escalation_issue"
        assert failure.attempts == ESCALATE_BUDGET and failure.resumable
        assert "escalation issue could not be created" in failure.reason
        assert jira.issues == [] and len(jira.requests) == ESCALATE_BUDGET
        state = await h.state(workflow_id)
        assert state.status == "needs_attention"
        # The decision is stored in its queue already: nothing is lost while it waits.
        assert h.activities.store.queue_of(workflow_id) == "billing-escalations"

        refused = await act(h, workflow_id, "bob", "resume")
        assert not refused.accepted and "not a rollout operator" in refused.reason

        resumed = await act(h, workflow_id, "alice", "resume")
        assert resumed.accepted, resumed.reason
        final = await h.result(workflow_id)
        assert final.status == "routed", final.status_reason
        assert len(jira.issues) == 1
        key = jira.issues[0]["key"]
        assert final.escalation_ref is not None and key in final.escalation_ref
        types = h.audit_types(workflow_id)
        for expected in (
            "dead_letter.parked",
            "dead_letter.refused",
            "dead_letter.resolved",
            "ticket.routed",
        ):
            assert expected in types, expected
        trail = h.deps.audit.trail(workflow_id)
        (refusal,) = [r for r in trail if r.type == "dead_letter.refused"]
        assert refusal.payload["actor"] == "bob"
        (resolved,) = [r for r in trail if r.type == "dead_letter.resolved"]
        assert resolved.payload["operator"] == "alice"
        assert resolved.payload["action"] == "resume"
        outcomes = [
            r.payload["status"]
            for r in trail
            if r.type == "effect.outcome" and r.payload["effect"] == "create_escalation_issue"
        ]
        assert outcomes == ["failed", "done"]


async def test_a_parked_ticket_nobody_acts_on_ends_needs_attention_with_its_reason(
    time_skipping_env: WorkflowEnvironment, settings: Settings, jira: FakeJira
) -> None:
    """Bounded: the park's one long timer ends it, with the reason, never wedged."""
    triage = TriageSettings.model_validate(
        {"effects": {"escalation": "jira"}, "jira": {"base_url": jira.root_url}}
    )
    env = {"JIRA_EMAIL": jira.email, "JIRA_API_TOKEN": "wrong"}
    async with triage_harness(time_skipping_env, settings, triage=triage, env=env) as h:
        sub = await h.start(ticket_event())
        view = await parked(h, sub.workflow_id)
        assert view.parked is not None and view.parked.retry_state == "NON_RETRYABLE_FAILURE"
        assert view.parked.attempts is None  # refused outright, not out of budget
        final = await h.result(sub.workflow_id)  # time skips past the park
        assert final.status == "needs_attention"
        assert "escalation issue could not be created" in final.status_reason
        assert "nobody resumed" in final.status_reason
        trail = h.deps.audit.trail(sub.workflow_id)
        (resolved,) = [r for r in trail if r.type == "dead_letter.resolved"]
        assert resolved.payload["action"] == "expired" and resolved.payload["operator"] is None
        assert [r.type for r in trail][-1] == "workflow.finished"
