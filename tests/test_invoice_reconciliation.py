"""The invoice workflow reconciles with a purchase order before it routes, on the real
time-skipping test server, against the bundled sample POs in a temp PO store: a match
keeps auto-draft; an amount mismatch or no PO goes to review with the finding; an
approval still follows the approver's limits; off by default; `explain` shows the loop,
including the agent's steps with a scripted model behind the OpenAI fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from schemas.invoice.workflow import RESTING_STATUSES, InvoiceState
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from tests.reconciliation.harness import TYPO_REF, open_store
from tests.reconciliation.test_agent_workflow import PROPOSE_RIGHT, QUERY, RECEIPTS
from vouchflow.cli.explain import explain_workflow
from vouchflow.invoice.rules.reconcile import reconciliation_enabled
from vouchflow.samples.generate import OUT_DIR as SAMPLES
from vouchflow.settings import Settings
from vouchflow.testing.fakes import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio

ACME = "Acme Office Supplies Ltd"
# PO-4500-0142 (open, fully received): 48,200 net.
PO_0142_LINES = [
    Line("A4 copier paper 80gsm, box of 5 reams", 10, 2450),
    Line("Black toner cartridge TN-2420", 3, 6200),
    Line("Mesh desk organiser", 4, 1275),
]
# PO-4500-0160 (open, fully received) orders 94.20 net; this bills 116.10.
OVER_0160_LINES = [
    Line("Whiteboard markers, pack of 12", 6, 840),
    Line("Lever arch files, box of 10", 3, 2190),
]


def with_reconciliation(settings: Settings, **section: Any) -> Settings:
    integrations = {**settings.integrations, "reconciliation": {"enabled": True, **section}}
    return settings.model_copy(update={"integrations": integrations})


def reasons(state: InvoiceState) -> list[str]:
    assert state.assessment is not None
    return state.assessment.decision.reasons


def routed(h: Harness, workflow_id: str) -> dict[str, Any]:
    records = [r for r in h.deps.audit.trail(workflow_id) if r.type == "decision.routed"]
    assert len(records) == 1
    return records[0].payload


async def test_a_matching_po_keeps_auto_draft(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, with_reconciliation(settings)) as h:
        invoice = TextInvoice(
            number="ACME-R-0142", lines=PO_0142_LINES, extra_text="Your PO: PO-4500-0142"
        )
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(sub.workflow_id, "drafted")

        assert state.assessment is not None
        assert state.assessment.decision.route == "auto_draft", reasons(state)
        assert state.reconciliation is not None
        assert state.reconciliation.status == "matched", state.reconciliation.reason
        assert state.reconciliation.decided_by == "code"
        assert state.reconciliation.po_number == "PO-4500-0142"
        assert state.reconciliation_workflow_id == f"{sub.workflow_id}:reconciliation"
        assert state.draft_bill is not None
        payload = routed(h, sub.workflow_id)
        assert payload["route"] == "auto_draft"
        assert payload["reconciliation"]["status"] == "matched"
        assert payload["reconciliation"]["reasons"] == []
        # Audit before effect: the match is recorded before the routing it decides.
        types = [r.type for r in h.deps.audit.trail(sub.workflow_id)]
        assert types.index("reconciliation.requested") < types.index("decision.routed")
        assert types.index("decision.routed") < types.index("effect.intent")
        child = h.deps.audit.trail(state.reconciliation_workflow_id)
        assert [r.type for r in child][-1] == "reconciliation.finished"


async def test_an_amount_mismatch_goes_to_review_with_the_finding(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, with_reconciliation(settings)) as h:
        invoice = TextInvoice(
            number="ACME-R-0160", lines=OVER_0160_LINES, extra_text="PO number: PO-4500-0160"
        )
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")

        assert state.assessment is not None
        assert state.assessment.decision.route == "review"
        assert state.reconciliation is not None
        assert state.reconciliation.finding.kind == "amount_mismatch"
        assert state.reconciliation.finding.difference_minor == 11610 - 9420
        # Only the finding: "all checks passed" no longer describes a review.
        assert len(reasons(state)) == 1
        assert reasons(state)[0].startswith("purchase order: amount mismatch with PO PO-4500-0160")
        assert "over by GBP 21.90 (tolerance GBP 1.00)" in reasons(state)[0]
        assert state.status_reason == reasons(state)[0]
        assert routed(h, sub.workflow_id)["route"] == "review"

        # The approver corrects the number: the match is kept (not re-run) and says so.
        reply = await h.decide(
            sub.workflow_id, "approve", "alice", corrections={"invoice_number": "ACME-R-0160A"}
        )
        assert reply.accepted, reply.reason
        state = await h.wait_status(sub.workflow_id, "drafted")
        approval = state.decisions[-1]
        assert any(
            "purchase-order match not re-run after corrections to invoice_number" in d
            and "PO PO-4500-0160 (amount_mismatch)" in d
            for d in approval.details
        ), approval.details
        assert state.assessment is not None
        assert state.assessment.invoice.invoice_number == "ACME-R-0160A"
        assert any(r.startswith("purchase order: amount mismatch") for r in reasons(state))


async def test_no_po_goes_to_review_and_approval_limits_apply_as_before(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, with_reconciliation(settings)) as h:
        sub = await h.submit(TextInvoice(number="ACME-R-9001").bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.reconciliation is not None
        assert state.reconciliation.finding.kind == "no_po"
        assert reasons(state) == [
            "purchase order: none of the supplier's 3 open POs is within GBP 1.17 of GBP 234.00"
            " (closest: PO-4500-0160, off by GBP 139.80)"
        ]

        # Above-limit invoices wait for an approver with the authority, as before: bob's
        # limit is 10,000.00 GBP.
        big = TextInvoice(number="NW-R-9003", supplier="Northwind Stationery Ltd")
        big.lines = [Line("Ergonomic office chair", 40, 38900)]
        sub_big = await h.submit(big.bytes())
        state_big = await h.wait_status(sub_big.workflow_id, "awaiting_approval")
        assert any("above the auto-draft limit" in r for r in reasons(state_big))
        assert any(r.startswith("purchase order: ") for r in reasons(state_big))
        refused = await h.decide(sub_big.workflow_id, "approve", "bob")
        assert not refused.accepted and "limit" in refused.reason
        accepted = await h.decide(sub_big.workflow_id, "approve", "alice")
        assert accepted.accepted, accepted.reason
        await h.wait_status(sub_big.workflow_id, "drafted")


async def test_off_by_default_routes_as_before(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    assert reconciliation_enabled(settings.integrations) is False  # the shipped configuration
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number="ACME-R-9002").bytes())
        state = await h.wait_status(sub.workflow_id, "drafted")
        assert state.assessment is not None and state.assessment.decision.route == "auto_draft"
        assert state.reconciliation is None and state.reconciliation_workflow_id is None
        types = {r.type for r in h.deps.audit.trail(sub.workflow_id)}
        assert "reconciliation.requested" not in types
        assert routed(h, sub.workflow_id)["reconciliation"] is None


async def test_a_credit_note_is_not_reconciled(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, with_reconciliation(settings)) as h:
        note = TextInvoice(number="ACME-CN-1")
        sub = await h.submit(note.render().replace("INVOICE\n", "CREDIT NOTE\n").encode())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.assessment is not None
        assert state.assessment.invoice.document_type == "credit_note"
        assert state.reconciliation is None
        assert not any(r.startswith("purchase order: ") for r in reasons(state))


@pytest.fixture(scope="module")
def openai_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start() as fake:
        yield fake


async def test_explain_shows_the_loop_with_the_agent_steps(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    openai_fake: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A look-alike of PO-4500-0142 makes the printed typo one code cannot place alone.
    open_store(settings.home / "purchase_orders.sqlite3").close()
    monkeypatch.setenv("OPENAI_API_KEY", openai_fake.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.base_url)
    openai_fake.script(
        Reply.tools(QUERY, input_tokens=900, output_tokens=60),
        Reply.tools(RECEIPTS, input_tokens=1_400, output_tokens=40),
        Reply.tools(PROPOSE_RIGHT, input_tokens=1_700, output_tokens=80),
    )
    configured = with_reconciliation(settings, agent="openai:gpt-5-mini")
    async with running_harness(time_skipping_env, configured) as h:
        invoice = TextInvoice(
            number="ACME-R-9004", lines=PO_0142_LINES, extra_text=f"Your PO: {TYPO_REF}"
        )
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(sub.workflow_id, "drafted")
        assert state.reconciliation is not None
        assert state.reconciliation.decided_by == "agent", state.reconciliation.reason
        assert state.reconciliation.po_number == "PO-4500-0142"
        assert state.assessment is not None and state.assessment.decision.route == "auto_draft"
        assert openai_fake.remaining() == 0
        text = "\n".join(explain_workflow(h.settings, sub.workflow_id))

    child = f"{sub.workflow_id}:reconciliation"
    assert f"Reconciliation (purchase-order matching): (child {child})" in text
    assert "code could not decide: ambiguous" in text
    assert f"PO numbers printed: {TYPO_REF}" in text
    assert "agent openai:gpt-5-mini" in text
    assert "1. model_turn model [ok]" in text
    assert "2. tool_call query_purchase_orders [ok]" in text
    assert "6. tool_call propose_match [proposal]" in text
    assert "result: matched (decided by agent), PO PO-4500-0142" in text
    assert "agent: 3 turn(s), 2 tool call(s), 4180 tokens" in text
    # The routing that followed, in the same answer.
    assert "Route: auto_draft" in text


async def test_the_demo_samples_with_reconciliation_enabled(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    """What `make demo` shows with `[reconciliation] enabled = true`: every sample rests
    where it does with it off except the plain-text one, which bills a PO that is only
    partly delivered and waits for a person; the two clean invoices match their POs."""
    expected = {
        "01_clean_uk_vat": ("matched", "PO-4500-0142"),
        "08_euro_invoice": ("matched", "PO-BHL-DE-0077"),
        "09_plain_text": ("partially_received", "PO-4500-0150"),
    }
    documents = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".txt"))
    async with running_harness(time_skipping_env, with_reconciliation(settings)) as h:
        for document in documents:
            truth = json.loads(document.with_suffix(".json").read_text(encoding="utf-8"))
            route = "review" if document.stem == "09_plain_text" else truth["expected_route"]
            sub = await h.submit(document.read_bytes(), filename=document.name)
            state = await h.wait_status(sub.workflow_id, *RESTING_STATUSES)
            assert state.assessment is not None, document.name
            assert state.assessment.decision.route == route, (document.name, reasons(state))
            if document.stem in expected:
                kind, po = expected[document.stem]
                assert state.reconciliation is not None, document.name
                assert state.reconciliation.finding.kind == kind, state.reconciliation
                assert state.reconciliation.finding.po_number == po, document.name
            if route in ("flag", "reject_input"):
                assert state.reconciliation is None, document.name
            if document.stem == "09_plain_text":
                assert "only partly received" in reasons(state)[0]


@activity.defn(name="load_reconciliation_candidates")
async def store_down(request: Any) -> Any:
    raise ApplicationError("connection refused", type="StoreDown", non_retryable=True)


async def test_a_reconciliation_that_fails_sends_the_invoice_to_review(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(
        time_skipping_env, with_reconciliation(settings), replace_activities=[store_down]
    ) as h:
        invoice = TextInvoice(
            number="ACME-R-9005", lines=PO_0142_LINES, extra_text="Your PO: PO-4500-0142"
        )
        sub = await h.submit(invoice.bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.reconciliation is not None and state.reconciliation.status == "failed"
        assert len(reasons(state)) == 1
        assert reasons(state)[0].startswith("purchase order: reconciliation failed (")
        assert "connection refused" in reasons(state)[0]
