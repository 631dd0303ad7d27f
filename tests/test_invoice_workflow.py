"""The invoice workflow on the real time-skipping test server, every route and signal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.settings import Settings

pytestmark = pytest.mark.asyncio


def review_invoice(number: str = "INV-2001") -> TextInvoice:
    # Above the 5,000.00 GBP auto-draft limit: must be reviewed.
    return TextInvoice(number=number, lines=[Line("Standing desks", 20, 29900)])


async def ledger_bills(h: Harness) -> list[dict[str, object]]:
    ledger = h.deps.destination
    assert isinstance(ledger, LocalLedger)
    return [bill.model_dump() for bill in ledger.list_bills()]


async def test_clean_invoice_is_auto_drafted_then_emailed_then_completed(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice().bytes())
        state = await h.wait_for(
            sub.workflow_id, lambda s: s.email_state == "scheduled", what="email scheduled"
        )
        assert state.assessment is not None
        assert state.assessment.decision.route == "auto_draft", state.assessment.decision.reasons
        assert state.draft_bill is not None and state.draft_bill.status == "DRAFT"
        assert state.email_state == "scheduled"
        assert list(h.settings.outbox_dir.glob("*.eml")) == []

        await time_skipping_env.sleep(dt.timedelta(minutes=6))
        state = await h.wait_for(sub.workflow_id, lambda s: s.email_state == "sent", what="email")
        assert len(list(h.settings.outbox_dir.glob("*.eml"))) == 1

        final = await h.result(sub.workflow_id)
        assert final.status == "completed"
        bills = await ledger_bills(h)
        assert len(bills) == 1
        trail = h.deps.audit.trail(sub.workflow_id)
        types = [r.type for r in trail]
        # The decision is audited before the first effect's intent.
        assert types.index("decision.routed") < types.index("effect.intent")
        intents = [r.payload["effect"] for r in trail if r.type == "effect.intent"]
        outcomes = [r.payload["effect"] for r in trail if r.type == "effect.outcome"]
        assert "post_draft_bill" in intents and "post_draft_bill" in outcomes
        assert "send_email" in intents and "send_email" in outcomes
        assert h.deps.audit.verify().ok


async def test_review_then_approve_posts_one_draft(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice().bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.assessment is not None and state.assessment.decision.route == "review"
        assert any("limit" in r for r in state.assessment.decision.reasons)
        await h.signal_decision(sub.workflow_id, "approve", "alice", comment="ok")
        state = await h.wait_status(sub.workflow_id, "drafted")
        assert state.decisions[-1].kind == "approve" and state.decisions[-1].accepted
        assert len(await ledger_bills(h)) == 1
        # A second click is refused: one decision only.
        await h.signal_decision(sub.workflow_id, "approve", "alice")
        state = await h.wait_for(
            sub.workflow_id, lambda s: len(s.decisions) == 2, what="second decision recorded"
        )
        assert state.decisions[-1].accepted is False
        assert len(await ledger_bills(h)) == 1


async def test_reject_ends_without_draft(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice("INV-3001").bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        await h.signal_decision(sub.workflow_id, "reject", "bob", reason="not our order")
        final = await h.result(sub.workflow_id)
        assert final.status == "rejected"
        assert "not our order" in final.status_reason
        assert await ledger_bills(h) == []
        types = [r.type for r in h.deps.audit.trail(sub.workflow_id)]
        assert "decision.rejected" in types


async def test_reminder_escalation_and_expiry_timers(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice("INV-4001").bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        await time_skipping_env.sleep(dt.timedelta(hours=25))
        state = await h.wait_for(sub.workflow_id, lambda s: s.reminders_sent == 1, what="reminder")
        assert not state.escalated
        await time_skipping_env.sleep(dt.timedelta(hours=24))
        state = await h.wait_for(sub.workflow_id, lambda s: s.escalated, what="escalation")
        assert state.status == "awaiting_approval"
        types = [r.type for r in h.deps.audit.trail(sub.workflow_id)]
        assert "review.reminder" in types and "review.escalated" in types
        notified = [e.effect for e in state.effects if e.status == "done"]
        assert "notify.reminder" in notified and "notify.escalation" in notified
        final = await h.result(sub.workflow_id)  # time skips to the 7-day expiry
        assert final.status == "expired"
        assert await ledger_bills(h) == []


async def test_refused_approvals_are_audited_and_waiting_continues(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        # 16,200.00 GBP: within alice's limit, above bob's (10,000.00 GBP).
        big = TextInvoice(number="INV-5001", lines=[Line("Server rack", 3, 450000)])
        sub = await h.submit(big.bytes(), submitted_by="alice")
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        await h.signal_decision(sub.workflow_id, "approve", "mallory")
        await h.signal_decision(sub.workflow_id, "approve", "bob")
        await h.signal_decision(sub.workflow_id, "approve", "alice")
        state = await h.wait_for(
            sub.workflow_id, lambda s: len(s.decisions) == 3, what="3 decisions"
        )
        reasons = [d.reason for d in state.decisions]
        assert all(not d.accepted for d in state.decisions), reasons
        assert "approver" in reasons[0]
        assert "limit" in reasons[1]
        assert "submit" in reasons[2]
        assert state.status == "awaiting_approval"
        refused = [r for r in h.deps.audit.trail(sub.workflow_id) if r.type == "decision.refused"]
        assert len(refused) == 3
        await h.signal_decision(sub.workflow_id, "reject", "bob", reason="too big")
        assert (await h.result(sub.workflow_id)).status == "rejected"


async def test_approve_with_corrections_is_revalidated(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number=None).bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.assessment is not None
        assert state.assessment.invoice.invoice_number is None
        # A correction that breaks the arithmetic is refused, and the sender is told why...
        reply = await h.decide(
            sub.workflow_id,
            "approve",
            "alice",
            corrections={"invoice_number": "INV-9", "total_minor": 1},
        )
        assert not reply.accepted and "corrections" in reply.reason
        state = await h.state(sub.workflow_id)
        assert not state.decisions[0].accepted
        assert "corrections" in state.decisions[0].reason
        # ...a correct one is accepted and used for the draft.
        await h.signal_decision(
            sub.workflow_id, "approve", "alice", corrections={"invoice_number": "INV-9"}
        )
        state = await h.wait_status(sub.workflow_id, "drafted")
        assert state.assessment is not None and state.assessment.invoice.invoice_number == "INV-9"
        bills = await ledger_bills(h)
        assert len(bills) == 1 and bills[0]["invoice_number"] == "INV-9"


async def test_cancel_email_during_delay(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number="INV-6001").bytes())
        await h.wait_status(sub.workflow_id, "drafted")
        await h.signal_decision(sub.workflow_id, "cancel_email", "alice")
        state = await h.wait_for(
            sub.workflow_id, lambda s: s.email_state == "cancelled", what="cancel"
        )
        assert state.email_due_at is None
        await time_skipping_env.sleep(dt.timedelta(minutes=10))
        assert list(h.settings.outbox_dir.glob("*.eml")) == []
        assert "email.cancelled" in [r.type for r in h.deps.audit.trail(sub.workflow_id)]


async def test_revert_deletes_the_draft(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number="INV-7001").bytes())
        await h.wait_status(sub.workflow_id, "drafted")
        await h.signal_decision(sub.workflow_id, "revert", "alice", reason="wrong entity")
        final = await h.result(sub.workflow_id)
        assert final.status == "reverted"
        assert final.email_state == "cancelled"  # revert also stops the pending email
        bills = await ledger_bills(h)
        assert len(bills) == 1 and bills[0]["status"] == "DELETED"
        trail = h.deps.audit.trail(sub.workflow_id)
        effects = [(r.type, r.payload.get("effect")) for r in trail if r.type.startswith("effect.")]
        assert ("effect.intent", "revert_draft_bill") in effects
        assert ("effect.outcome", "revert_draft_bill") in effects


async def test_same_document_twice_is_one_workflow_and_one_draft(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        data = TextInvoice(number="INV-8001").bytes()
        first = await h.submit(data)
        second = await h.submit(data)
        assert first.workflow_id == second.workflow_id
        assert first.started and not second.started
        await h.wait_status(first.workflow_id, "drafted")
        third = await h.submit(data)
        assert not third.started
        assert len(await ledger_bills(h)) == 1


async def test_reissued_copy_of_a_drafted_invoice_is_flagged(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        original = await h.submit(TextInvoice(number="INV-8101").bytes())
        await h.wait_status(original.workflow_id, "drafted")
        copy = TextInvoice(number="INV-8101", extra_text="COPY - re-issued")
        dup = await h.submit(copy.bytes(), filename="copy.txt")
        final = await h.result(dup.workflow_id)
        assert final.status == "flagged"
        assert final.assessment is not None and final.assessment.decision.route == "flag"
        assert any("duplicate" in r.lower() for r in final.assessment.decision.reasons)
        assert len(await ledger_bills(h)) == 1


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.pdf", b"", "empty_file"),
        ("program.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "unsupported_type"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "corrupt_pdf"),
    ],
)
async def test_bad_input_ends_in_rejected_input_and_keeps_the_original(
    time_skipping_env: WorkflowEnvironment, settings: Settings, name: str, data: bytes, code: str
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(data, filename=name)
        final = await h.result(sub.workflow_id)
        assert final.status == "rejected_input"
        assert final.status_reason.startswith(code), final.status_reason
        assert h.deps.blobs.get(sub.document_sha256) == data
        rejected = [r for r in h.deps.audit.trail(sub.workflow_id) if r.type == "input.rejected"]
        assert rejected and rejected[0].payload["code"] == code


async def test_not_an_invoice_is_rejected_with_reason(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    letter = (
        "Dear neighbours,\n\nThe summer fete will take place on Saturday in the park. "
        "Please bring cakes and good weather. The committee thanks everyone who helped "
        "last year and looks forward to seeing you all.\n\nWarm regards,\nThe committee\n"
    )
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(letter.encode(), filename="letter.txt")
        final = await h.result(sub.workflow_id)
        assert final.status == "rejected_input"
        assert "invoice" in final.status_reason.lower()
        assert await ledger_bills(h) == []


async def test_oversized_file_is_rejected_before_reading(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "home", intake__max_file_bytes=1000)
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice().bytes() * 10)
        final = await h.result(sub.workflow_id)
        assert final.status == "rejected_input"
        assert final.status_reason.startswith("too_large")


async def test_explain_tells_why_from_state_and_audit(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    from vouchflow.cli.explain import explain_lines

    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice("INV-9901").bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        await h.signal_decision(sub.workflow_id, "approve", "mallory")
        await h.signal_decision(sub.workflow_id, "approve", "alice", comment="PO 77")
        state = await h.wait_status(sub.workflow_id, "drafted")
        text = "\n".join(explain_lines(state, h.deps.audit.trail(sub.workflow_id), True))
    assert "Proposed by: rules extractor (no model)" in text
    assert "passed  required fields" in text
    assert "Route: review" in text and "auto-draft limit" in text
    assert "approve by mallory" in text and "refused" in text
    assert "approve by alice" in text and "'PO 77'" in text
    assert "post_draft_bill: done" in text
    assert "hash chain: verified" in text
    assert f"starter.py revert {sub.workflow_id}" in text


async def test_two_copies_waiting_for_approval_make_one_draft(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        original = await h.submit(review_invoice("DUP-9").bytes(), filename="a.txt")
        copy = TextInvoice(
            number="DUP-9", lines=[Line("Standing desks", 20, 29900)], extra_text="COPY"
        )
        second = await h.submit(copy.bytes(), filename="b.txt")
        # Neither is drafted yet, so both wait for a person.
        await h.wait_status(original.workflow_id, "awaiting_approval")
        await h.wait_status(second.workflow_id, "awaiting_approval")
        await h.signal_decision(original.workflow_id, "approve", "alice")
        await h.wait_status(original.workflow_id, "drafted")
        await h.signal_decision(second.workflow_id, "approve", "alice")
        final = await h.result(second.workflow_id)
        assert final.status == "flagged"
        assert "duplicate found just before posting" in final.status_reason
        assert original.workflow_id in final.status_reason
        assert len(await ledger_bills(h)) == 1
        assert "decision.flagged" in [r.type for r in h.deps.audit.trail(second.workflow_id)]
