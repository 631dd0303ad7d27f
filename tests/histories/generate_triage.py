"""Regenerate the committed triage workflow histories replayed by
tests/triage/test_triage_replay.py.

    .venv/bin/python -m tests.histories.generate_triage

One workflow per route and per kind of decision, on the time-skipping test server;
each history is written as JSON under tests/histories/triage/. Regenerate only on
purpose: a committed history is the guarantee that running workflows replay on new code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from vouchflow.runtime.binaries import temporal_test_server_path
from vouchflow.runtime.search_attributes import register_search_attributes
from tests.conftest import make_settings
from tests.triage.harness import TriageHarness, ticket_event, triage_harness
from vouchflow.triage.settings import ReviewSettings, TriageSettings

OUT = Path(__file__).resolve().parent / "triage"
AMBIGUOUS = "Not sure: the last invoice looks different from the dashboard. Could be a bug?"


async def _escalated(h: TriageHarness, env: WorkflowEnvironment) -> str:
    sub = await h.start(ticket_event(event_id="evt-history-escalated"))
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _enterprise(h: TriageHarness, env: WorkflowEnvironment) -> str:
    event = ticket_event(
        event_id="evt-history-enterprise",
        subject="How do I export?",
        body="How do I export the report to CSV? Where is the documentation?",
        customer_id="cust-2001",
        plan="enterprise",
    )
    sub = await h.start(event)
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _review_confirmed(h: TriageHarness, env: WorkflowEnvironment) -> str:
    event = ticket_event(event_id="evt-history-confirmed", subject="Hm", body=AMBIGUOUS)
    sub = await h.start(event)
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await env.sleep(dt.timedelta(hours=5))
    await h.wait_for(sub.workflow_id, lambda s: s.reminders_sent == 1)
    # A typed name without proof is refused; then a proven confirm by update.
    await h.handle(sub.workflow_id).signal("confirm", {"reviewer": "alice"})
    await h.wait_for(sub.workflow_id, lambda s: len(s.decisions) == 1)
    await h.decide(sub.workflow_id, "confirm", "alice", comment="fine")
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _review_corrected(h: TriageHarness, env: WorkflowEnvironment) -> str:
    event = ticket_event(event_id="evt-history-corrected", subject="Hm", body=AMBIGUOUS)
    sub = await h.start(event)
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await h.signal(
        sub.workflow_id, "correct", "bob", category="billing", urgency="high", reason="refund"
    )
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _review_expired(h: TriageHarness, env: WorkflowEnvironment) -> str:
    event = ticket_event(event_id="evt-history-expired", subject="Hm", body=AMBIGUOUS)
    sub = await h.start(event)
    await h.result(sub.workflow_id)
    return sub.workflow_id


SCENARIOS: dict[str, Callable[[TriageHarness, WorkflowEnvironment], Awaitable[str]]] = {
    "escalated": _escalated,
    "enterprise": _enterprise,
    "review_confirmed": _review_confirmed,
    "review_corrected": _review_corrected,
    "review_expired": _review_expired,
}
TRIAGE = TriageSettings(
    review=ReviewSettings(reminder_after=dt.timedelta(hours=4), expire_after=dt.timedelta(hours=24))
)


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server_path()),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client, "default")
    OUT.mkdir(exist_ok=True)
    try:
        for name, scenario in SCENARIOS.items():
            with tempfile.TemporaryDirectory() as tmp:
                settings = make_settings(Path(tmp) / "home")
                async with triage_harness(env, settings, triage=TRIAGE) as h:
                    workflow_id = await scenario(h, env)
                    history = await h.handle(workflow_id).fetch_history()
            out = OUT / f"triage_{name}.json"
            out.write_text(history.to_json())
            print(
                f"wrote {out.relative_to(OUT.parent.parent.parent)} ({len(history.events)} events)"
            )
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
