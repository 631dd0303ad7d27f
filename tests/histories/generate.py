"""Regenerate the committed workflow histories replayed by tests/test_replay.py.

    .venv/bin/python -m tests.histories.generate

Runs one workflow per route on the time-skipping test server and writes each
history as JSON beside this file. Regenerate only on purpose: a committed history
is the guarantee that running workflows replay on new code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from schemas.common.rollout import RolloutSetting
from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.rollout.stages import set_stage
from vouchflow.runtime.binaries import temporal_test_server_path
from vouchflow.runtime.search_attributes import register_search_attributes
from vouchflow.settings import Settings

HERE = Path(__file__).resolve().parent


async def _auto_draft(h: Harness, env: WorkflowEnvironment) -> str:
    sub = await h.submit(TextInvoice(number="H-AUTO-1").bytes())
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _review_approved(h: Harness, env: WorkflowEnvironment) -> str:
    inv = TextInvoice(number="H-REV-1", lines=[Line("Standing desks", 20, 29900)])
    sub = await h.submit(inv.bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await env.sleep(dt.timedelta(hours=25))
    await h.wait_for(sub.workflow_id, lambda s: s.reminders_sent == 1)
    # A typed name without proof is refused; mallory's own token is proof, but of a non-approver.
    await h.handle(sub.workflow_id).signal("approve", {"reviewer": "alice"})
    await h.wait_for(sub.workflow_id, lambda s: len(s.decisions) == 1)
    await h.signal_decision(sub.workflow_id, "approve", "mallory")
    await h.wait_for(sub.workflow_id, lambda s: len(s.decisions) == 2)
    await h.decide(sub.workflow_id, "approve", "alice", comment="ok")
    await h.wait_status(sub.workflow_id, "drafted")
    await h.signal_decision(sub.workflow_id, "revert", "alice")
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _review_rejected(h: Harness, env: WorkflowEnvironment) -> str:
    sub = await h.submit(TextInvoice(number=None).bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await h.signal_decision(sub.workflow_id, "reject", "bob", reason="unknown")
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _flagged(h: Harness, env: WorkflowEnvironment) -> str:
    first = await h.submit(TextInvoice(number="H-DUP-1").bytes())
    await h.wait_status(first.workflow_id, "drafted")
    dup = await h.submit(TextInvoice(number="H-DUP-1", extra_text="COPY").bytes())
    await h.result(dup.workflow_id)
    return dup.workflow_id


async def _rejected_input(h: Harness, env: WorkflowEnvironment) -> str:
    sub = await h.submit(b"", filename="empty.pdf")
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _shadow_auto_draft(h: Harness, env: WorkflowEnvironment) -> str:
    # Rollout stage shadow: the candidate runs as a child workflow beside production.
    set_stage(
        h.settings.home,
        "invoice",
        RolloutSetting(stage="shadow", candidate_provider="rules", set_by="alice"),
    )
    sub = await h.submit(TextInvoice(number="H-SHADOW-1").bytes())
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _suggest_review(h: Harness, env: WorkflowEnvironment) -> str:
    # Rollout stage suggest: an auto-draftable invoice waits for a person.
    set_stage(h.settings.home, "invoice", RolloutSetting(stage="suggest", set_by="alice"))
    sub = await h.submit(TextInvoice(number="H-SUGGEST-1").bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await h.decide(sub.workflow_id, "approve", "alice")
    await h.result(sub.workflow_id)
    return sub.workflow_id


# PO-4500-0142 of the bundled sample purchase orders (open, fully received).
PO_0142_LINES = [
    Line("A4 copier paper 80gsm, box of 5 reams", 10, 2450),
    Line("Black toner cartridge TN-2420", 3, 6200),
    Line("Mesh desk organiser", 4, 1275),
]


async def _reconciled_auto_draft(h: Harness, env: WorkflowEnvironment) -> str:
    # [reconciliation] enabled: the printed PO matches in code, the route stays auto_draft.
    inv = TextInvoice(number="H-RECON-1", lines=PO_0142_LINES, extra_text="PO: PO-4500-0142")
    sub = await h.submit(inv.bytes())
    await h.result(sub.workflow_id)
    return sub.workflow_id


async def _reconciled_review_approved(h: Harness, env: WorkflowEnvironment) -> str:
    # [reconciliation] enabled: the printed PO orders less than the invoice bills, so a
    # person approves it, correcting the number (the match is kept, not re-run).
    inv = TextInvoice(
        number="H-RECON-2",
        lines=[Line("Whiteboard markers, pack of 12", 6, 840), Line("Lever arch files", 3, 2190)],
        extra_text="PO: PO-4500-0160",
    )
    sub = await h.submit(inv.bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    await h.decide(
        sub.workflow_id, "approve", "alice", corrections={"invoice_number": "H-RECON-2A"}
    )
    await h.result(sub.workflow_id)
    return sub.workflow_id


def _reconciling(settings: Settings) -> Settings:
    integrations = {**settings.integrations, "reconciliation": {"enabled": True}}
    return settings.model_copy(update={"integrations": integrations})


SCENARIOS: dict[str, Callable[[Harness, WorkflowEnvironment], Awaitable[str]]] = {
    "auto_draft": _auto_draft,
    "review_approved_reverted": _review_approved,
    "review_rejected": _review_rejected,
    "flagged_duplicate": _flagged,
    "rejected_input": _rejected_input,
    "shadow_auto_draft": _shadow_auto_draft,
    "suggest_review_approved": _suggest_review,
    "reconciled_auto_draft": _reconciled_auto_draft,
    "reconciled_review_approved": _reconciled_review_approved,
}
# Scenarios that run with a configuration other than the shipped one.
CONFIGURED: dict[str, Callable[[Settings], Settings]] = {
    "reconciled_auto_draft": _reconciling,
    "reconciled_review_approved": _reconciling,
}


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server_path()),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client, "default")
    try:
        for name, scenario in SCENARIOS.items():
            with tempfile.TemporaryDirectory() as tmp:
                settings = make_settings(Path(tmp) / "home")
                settings = CONFIGURED.get(name, lambda s: s)(settings)
                async with running_harness(env, settings) as h:
                    workflow_id = await scenario(h, env)
                    history = await h.handle(workflow_id).fetch_history()
            out = HERE / f"invoice_{name}.json"
            out.write_text(history.to_json())
            print(f"wrote {out.relative_to(HERE.parent.parent)} ({len(history.events)} events)")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
