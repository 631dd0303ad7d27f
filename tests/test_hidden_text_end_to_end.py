"""A PDF whose text layer carries text a person cannot see, through the real invoice
workflow on the time-skipping test server: the route, the reason in the audit trail and
in `explain`, and a person who looks at the page and approves what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from tests.conftest import make_settings
from tests.harness import running_harness
from tests.test_hidden_text import (
    HOSTILE_IBAN,
    HOSTILE_TOTAL,
    VISIBLE_TOTAL_MINOR,
    invoice_pdf,
    white_text,
)
from vouchflow.cli.explain import explain_lines, explain_workflow
from vouchflow.destinations.local_ledger import LocalLedger

pytestmark = pytest.mark.asyncio

REASON_START = (
    "the PDF carries 14 words a reader cannot see (white or background-coloured text)"
    " on page 1 - e.g. 'Total: £9,999.00 IBAN [IBAN "
)


async def test_hidden_text_goes_to_a_person_with_the_reason_audited(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    data = invoice_pdf(white_text(HOSTILE_TOTAL, HOSTILE_IBAN, "Pay to this account only"))
    async with running_harness(time_skipping_env, make_settings(tmp_path / "home")) as h:
        sub = await h.submit(data, "invoice.pdf")
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")

        assert state.document is not None and state.document.hidden_text is not None
        assert state.document.hidden_text.words == 14
        assert state.extraction is not None
        assert state.extraction.invoice.total_minor == VISIBLE_TOTAL_MINOR
        assessment = state.assessment
        assert assessment is not None and assessment.decision.route == "review"
        assert assessment.decision.reasons[0].startswith(REASON_START), assessment.decision
        assert state.draft_bill is None
        # The original is kept, and the reader answered once (no retries).
        assert h.deps.blobs.get(sub.document_sha256) == data
        history = await h.handle(sub.workflow_id).fetch_history()
        reads = [
            e
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            and e.activity_task_scheduled_event_attributes.activity_type.name == "read_document"
        ]
        assert len(reads) == 1

        await h.audited(sub.workflow_id, "decision.routed")
        trail = h.deps.audit.trail(sub.workflow_id)
        routed = [r for r in trail if r.type == "decision.routed"]
        assert len(routed) == 1 and routed[0].payload["route"] == "review"
        assert routed[0].payload["reasons"][0].startswith(REASON_START)
        intents = [r.payload["effect"] for r in trail if r.type == "effect.intent"]
        assert "post_draft_bill" not in intents

        # `explain` shows it, from the workflow's state and from the audit log alone.
        from_state = "\n".join(explain_lines(state, trail, True))
        assert f"because {REASON_START}" in from_state
        from_audit = "\n".join(explain_workflow(h.settings, sub.workflow_id))
        assert REASON_START in from_audit

        # The reviewer sees the page and approves what it shows: one draft, visible total.
        await h.signal_decision(sub.workflow_id, "approve", "alice")
        state = await h.wait_status(sub.workflow_id, "drafted")
        ledger = h.deps.destination
        assert isinstance(ledger, LocalLedger)
        bills = ledger.list_bills()
        assert [bill.total_minor for bill in bills] == [VISIBLE_TOTAL_MINOR]
