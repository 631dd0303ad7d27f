"""Tickets in Slack: the review request carries a Confirm button and a menu of corrections;
a signed click from a mapped person reaches the workflow as a `decide` update proven by
the gateway's token, through the same gateway route as invoice approvals."""

from __future__ import annotations

from typing import Any

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from schemas.common.effects import Notification
from tests.test_gateway import ENV, signed_click
from tests.triage.harness import TriageHarness, ticket_event, triage_harness
from vouchflow.gateway.app import create_app
from vouchflow.notifiers.slack_blocks import (
    CONFIRM_ACTION,
    CORRECT_ACTION,
    CORRECT_BLOCK_PREFIX,
    build_blocks,
)
from vouchflow.settings import Settings

AMBIGUOUS = "Not sure: the last invoice looks different from the dashboard. Could be a bug?"


def click_payload(
    workflow_id: str, action: str, *, choice: str | None = None, user: str = "U0ALICE"
) -> dict[str, Any]:
    """A block_actions callback as Slack sends it for our button or menu."""
    element: dict[str, Any] = {"action_id": action, "block_id": CORRECT_BLOCK_PREFIX + workflow_id}
    if choice is None:
        element |= {"type": "button", "value": workflow_id}
    else:
        element |= {"type": "static_select", "selected_option": {"value": choice}}
    return {
        "type": "block_actions",
        "user": {"id": user, "name": "alice"},
        "trigger_id": f"trigger-{action}-{choice}",
        "actions": [element | {"action_ts": "1700000002.000100"}],
    }


def gateway(h: TriageHarness) -> httpx.AsyncClient:
    client = h.client

    async def factory() -> Client:
        return client

    app = create_app(h.settings, client_factory=factory, env=ENV)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def test_a_ticket_review_request_offers_confirm_and_every_correction() -> None:
    notification = Notification(
        workflow_id="triage-evt-1",
        kind="approval_request",
        idempotency_key="triage-evt-1:notify:1:approval_request",
        title="Ticket T-1: confirm or correct the classification",
        with_buttons=True,
        decisions="confirm_correct",
    )
    (actions,) = [b for b in build_blocks(notification, buttons=True) if b["type"] == "actions"]
    assert actions["block_id"] == CORRECT_BLOCK_PREFIX + "triage-evt-1"
    button, menu = actions["elements"]
    assert (button["action_id"], button["value"]) == (CONFIRM_ACTION, "triage-evt-1")
    assert menu["type"] == "static_select" and menu["action_id"] == CORRECT_ACTION
    values = {option["value"] for option in menu["options"]}
    assert "billing:high" in values and "how_to:low" in values and len(values) == 18
    # Invoices keep their approve / reject buttons.
    invoice = notification.model_copy(update={"decisions": "approve_reject"})
    (plain,) = [b for b in build_blocks(invoice, buttons=True) if b["type"] == "actions"]
    assert [e["action_id"] for e in plain["elements"]] == ["approve", "reject"]


async def test_confirm_and_correct_from_slack_reach_the_workflow_with_proof(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with triage_harness(time_skipping_env, settings) as h:
        confirmed = await h.start(ticket_event(subject="Something is off", body=AMBIGUOUS))
        corrected = await h.start(ticket_event(subject="Something is off", body=AMBIGUOUS))
        for sub in (confirmed, corrected):
            await h.wait_status(sub.workflow_id, "awaiting_approval")
        async with gateway(h) as gw:
            body, headers = signed_click(click_payload(confirmed.workflow_id, CONFIRM_ACTION))
            answer = await gw.post("/slack/interactions", content=body, headers=headers)
            assert answer.status_code == 200
            assert (
                "Confirmation by alice" in answer.json()["text"]
                or "processed" in (answer.json()["text"])
            )
            body, headers = signed_click(
                click_payload(corrected.workflow_id, CORRECT_ACTION, choice="billing:high")
            )
            answer = await gw.post("/slack/interactions", content=body, headers=headers)
            assert answer.status_code == 200
            # A menu value that is not one of ours is a bad request, and decides nothing.
            body, headers = signed_click(
                click_payload(corrected.workflow_id, CORRECT_ACTION, choice="refund:now")
            )
            assert (
                await gw.post("/slack/interactions", content=body, headers=headers)
            ).status_code == 400
        state = await h.result(confirmed.workflow_id)
        assert state.status == "routed" and state.reviewed_by == "alice"
        assert state.decisions[-1].proof.startswith("token:gateway/")
        assert state.decisions[-1].channel == "slack"
        state = await h.result(corrected.workflow_id)
        assert state.correction is not None and state.correction.reviewer == "alice"
        assert state.correction.corrected.category == "billing"
        assert state.correction.corrected.urgency == "high"
        assert state.route is not None and state.route.route == "escalation"
