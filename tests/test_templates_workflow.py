"""Supplier templates in the invoice workflow, on the real time-skipping test server: an
approval teaches the supplier's template (audited), the supplier's next invoice is
checked against it and counts as a known supplier, and changed bank details go to a
person with both IBANs shown."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.harness import running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.settings import Settings
from vouchflow.stores.templates import live_templates, open_template_store

pytestmark = pytest.mark.asyncio

SUPPLIER = "Harbourside Paper Company Ltd"
IBAN = "GB29 NWBK 6016 1331 9268 19"
OTHER_IBAN = "GB94 BARC 1020 1530 0934 59"


def invoice(number: str, lines: list[Line], iban: str = IBAN) -> TextInvoice:
    return TextInvoice(
        supplier=SUPPLIER, number=number, lines=lines, extra_text=f"Pay to IBAN: {iban}"
    )


async def test_approval_teaches_the_template_and_the_next_invoice_is_checked(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    first = invoice("HP-1001", [Line("Copier paper", 4, 2450), Line("Envelopes", 2, 800)])
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(first.bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.assessment is not None
        assert any("not a known supplier" in r for r in state.assessment.decision.reasons)
        assert state.template_check is None

        await h.signal_decision(sub.workflow_id, "approve", "alice", comment="new supplier")
        state = await h.wait_status(sub.workflow_id, "drafted")
        learned = state.template_learned
        assert learned is not None and learned.action == "learned" and learned.version == 1
        assert {"supplier_name", "invoice_number", "issue_date", "total_minor"} <= set(
            learned.fields
        )
        assert learned.ibans == ["GB29NWBK60161331926819"]
        await h.audited(sub.workflow_id, "template.learned")
        trail = h.deps.audit.trail(sub.workflow_id)
        types = [r.type for r in trail]
        assert "template.learned" in types
        # Audit before effect: the intent is recorded before the template is written.
        intents = [
            r
            for r in trail
            if r.type == "effect.intent" and r.payload["effect"] == "supplier_template"
        ]
        assert intents and intents[0].seq < types.index("template.learned") + trail[0].seq
        store = open_template_store(settings)
        [template] = live_templates(store)
        assert template.supplier_name == SUPPLIER
        [row] = store.versions(template.template_id)
        assert row.actor == "alice" and row.workflow_id == sub.workflow_id

        # The same supplier's next invoice: more lines push the totals down the page.
        second = invoice(
            "HP-1002",
            [Line("Copier paper", 10, 2450), Line("Envelopes", 5, 800), Line("Staples", 3, 150)],
        )
        sub2 = await h.submit(second.bytes())
        state2 = await h.wait_for(
            sub2.workflow_id, lambda s: s.assessment is not None, what="assessed"
        )
        check = state2.template_check
        assert check is not None and check.template_id == template.template_id
        assert check.known_supplier and check.findings == []
        assert {"invoice_number", "total_minor", "issue_date"} <= set(check.agreeing)
        assert state2.assessment is not None
        reasons = state2.assessment.decision.reasons
        assert not any("not a known supplier" in r for r in reasons)
        known = [s for s in state2.assessment.confidence.signals if s.name == "known_supplier"]
        assert known[0].value == 1.0
        assert "template.checked" in await h.audited(sub2.workflow_id, "template.checked")


async def test_changed_bank_details_go_to_review_with_both_ibans(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(invoice("HP-2001", [Line("Copier paper", 4, 2450)]).bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        await h.signal_decision(sub.workflow_id, "approve", "alice")
        await h.wait_status(sub.workflow_id, "drafted")

        fraud = invoice("HP-2002", [Line("Copier paper", 2, 2450)], iban=OTHER_IBAN)
        sub2 = await h.submit(fraud.bytes())
        state = await h.wait_status(sub2.workflow_id, "awaiting_approval")
        assert state.assessment is not None
        reasons = " ".join(state.assessment.decision.reasons)
        assert "bank details differ" in reasons
        assert "GB29 NWBK 6016 1331 9268 19" in reasons and "GB94 BARC 1020 1530 0934 59" in reasons
        codes = [f.code for f in state.assessment.findings]
        assert "supplier.bank_details_changed" in codes
