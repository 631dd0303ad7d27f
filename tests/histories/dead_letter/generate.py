"""Regenerate the committed dead-letter histories replayed by tests/test_replay.py and
tests/triage/test_triage_replay.py.

    .venv/bin/python -m tests.histories.dead_letter.generate

On the time-skipping test server: an invoice whose draft bill the destination refuses
parks, a non-operator's resume is refused, an operator resumes it and it is drafted; a
ticket whose Jira issue is refused parks and an operator closes it. Regenerate only on
purpose: a committed history is the guarantee that running workflows replay on new code.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.common.deps import build_deps
from activities.invoice.effects import EffectActivities
from schemas.common.dead_letter import DeadLetterReply, DeadLetterRequest, DeadLetterView
from schemas.invoice.effects import DraftBill, DraftBillRequest
from tests.conftest import make_settings
from tests.harness import running_harness
from tests.invoice_texts import TextInvoice
from tests.triage.harness import ticket_event, triage_harness
from vouchflow.runtime.binaries import temporal_test_server_path
from vouchflow.runtime.search_attributes import register_search_attributes
from vouchflow.settings import Settings
from vouchflow.testing.fakes.fake_jira import FakeJira
from vouchflow.triage.settings import TriageSettings

HERE = Path(__file__).resolve().parent
TRIAGE_OUT = HERE.parent / "triage" / "dead_letter"


class RefusingDestination:
    """The draft-bill activity, refusing its first call outright (a destination down)."""

    def __init__(self, settings: Settings, refusals: int) -> None:
        self._real = EffectActivities(build_deps(settings))
        self.refusals = refusals

    @activity.defn(name="post_draft_bill")
    async def post_draft_bill(self, request: DraftBillRequest) -> DraftBill:
        if self.refusals > 0:
            self.refusals -= 1
            raise ApplicationError(
                "the destination is down for maintenance",
                type="DestinationDown",
                non_retryable=True,
            )
        return await self._real.post_draft_bill(request)


async def parked(handle: WorkflowHandle[Any, Any]) -> None:
    for _ in range(600):
        try:
            view = await handle.query("dead_letter", result_type=DeadLetterView)
            if view.parked is not None:
                return
        except Exception:  # not started yet
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("never parked")


async def act(
    handle: WorkflowHandle[Any, Any], token: str, action: str, reason: str = ""
) -> DeadLetterReply:
    reply: DeadLetterReply = await handle.execute_update(
        "dead_letter",
        DeadLetterRequest(action=action, token=token, reason=reason),
        result_type=DeadLetterReply,
    )
    return reply


async def invoice_resumed(env: WorkflowEnvironment, home: Path) -> None:
    settings = make_settings(home, effects__email_delay="1s", effects__revert_window="2s")
    refusing = RefusingDestination(settings, refusals=1)
    async with running_harness(env, settings, replace_activities=[refusing.post_draft_bill]) as h:
        sub = await h.submit(TextInvoice(number="H-DL-1").bytes())
        handle = h.handle(sub.workflow_id)
        await parked(handle)
        refused = await act(handle, h.token("mallory", sub.workflow_id, "operate"), "resume")
        assert not refused.accepted, refused
        resumed = await act(handle, h.token("alice", sub.workflow_id, "operate"), "resume")
        assert resumed.accepted, resumed
        await h.result(sub.workflow_id)
        history = await handle.fetch_history()
    out = HERE / "invoice_dead_letter_resumed.json"
    out.write_text(history.to_json())
    print(f"wrote {out} ({len(history.events)} events)")


async def ticket_closed(env: WorkflowEnvironment, home: Path) -> None:
    settings = make_settings(home)
    with FakeJira.start() as jira:
        triage = TriageSettings.model_validate(
            {"effects": {"escalation": "jira"}, "jira": {"base_url": jira.root_url}}
        )
        env_vars = {"JIRA_EMAIL": jira.email, "JIRA_API_TOKEN": "revoked"}
        async with triage_harness(env, settings, triage=triage, env=env_vars) as h:
            sub = await h.start(ticket_event())
            handle = h.handle(sub.workflow_id)
            await parked(handle)
            closed = await act(
                handle,
                h.token("alice", sub.workflow_id, "operate"),
                "close",
                reason="escalated by phone",
            )
            assert closed.accepted, closed
            await h.result(sub.workflow_id)
            history = await handle.fetch_history()
    TRIAGE_OUT.mkdir(exist_ok=True)
    out = TRIAGE_OUT / "triage_dead_letter_closed.json"
    out.write_text(history.to_json())
    print(f"wrote {out} ({len(history.events)} events)")


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server_path()),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client, "default")
    try:
        for scenario in (invoice_resumed, ticket_closed):
            with tempfile.TemporaryDirectory() as tmp:
                await scenario(env, Path(tmp) / "home")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
