"""Deterministic matching, verification of proposals, PO references, tools and routing:
plain functions over a real SQLite PO store, no Temporal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from schemas.invoice.invoice import Invoice
from schemas.reconciliation.agent import ProposedMatch, ToolCall, Verification
from schemas.reconciliation.findings import Finding, MatchOutcome, ReconciliationPolicy
from schemas.reconciliation.purchase_orders import InvoicedRecord
from schemas.reconciliation.tools import PoListResult
from schemas.reconciliation.workflow import ReconciliationResult
from tests.reconciliation.harness import ACME, TYPO_REF, acme_invoice, open_store
from vouchflow.reconciliation.candidates import load_candidates
from vouchflow.reconciliation.matching import match_invoice
from vouchflow.reconciliation.references import find_po_references
from vouchflow.reconciliation.routing import reconciliation_review_reasons
from vouchflow.reconciliation.tools import (
    RejectedCall,
    ValidCall,
    run_tool,
    validate_call,
)
from vouchflow.reconciliation.verify import verify_proposal
from vouchflow.stores.purchase_orders_sqlite import SqlitePurchaseOrderStore

POLICY = ReconciliationPolicy()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlitePurchaseOrderStore]:
    s = open_store(tmp_path / "po.sqlite3")
    yield s
    s.close()


def match(
    store: SqlitePurchaseOrderStore, invoice: Invoice, refs: list[str] | None = None
) -> MatchOutcome:
    refs = refs or []
    return match_invoice(invoice, refs, load_candidates(store, invoice, refs, POLICY), POLICY)


def acme(net: int, number: str = "ACME-2026-0300") -> Invoice:
    return acme_invoice(number).model_copy(update={"subtotal_minor": net, "line_items": []})


def test_a_printed_po_number_decides_even_among_look_alikes(
    store: SqlitePurchaseOrderStore,
) -> None:
    outcome = match(store, acme_invoice(), ["PO 4500-0143"])
    assert outcome.decided and outcome.finding.kind == "matched"
    assert outcome.finding.po_number == "PO-4500-0143"
    assert "printed on the invoice" in outcome.finding.reason
    # Without the 'PO' prefix, as suppliers often print it.
    assert match(store, acme_invoice(), ["4500-0142"]).finding.po_number == "PO-4500-0142"


def test_supplier_and_amount_within_tolerance_is_a_three_way_match(
    store: SqlitePurchaseOrderStore,
) -> None:
    # GBP 94.20 ordered and received; GBP 95.10 is 0.90 over, within the GBP 1.00 floor.
    outcome = match(store, acme(9510))
    assert (outcome.decided, outcome.finding.kind) == (True, "matched")
    assert outcome.finding.match_type == "three_way" and outcome.finding.difference_minor == 90


def test_an_amount_mismatch_says_by_how_much(store: SqlitePurchaseOrderStore) -> None:
    invoice = Invoice(
        supplier_name="Blue Harbour Logistics Ltd",
        invoice_number="BHL-1",
        currency="GBP",
        subtotal_minor=47350,
    )
    finding = match(store, invoice).finding
    assert finding.kind == "amount_mismatch" and finding.difference_minor == 350
    assert "over by GBP 3.50 (tolerance GBP 2.36)" in finding.reason


def test_partial_delivery_closed_po_and_already_invoiced(store: SqlitePurchaseOrderStore) -> None:
    # PO-4500-0150: GBP 56.70 ordered, only GBP 37.20 received.
    partial = match(store, acme(5670), ["PO-4500-0150"]).finding
    assert partial.kind == "partially_received" and "GBP 37.20" in partial.reason
    # Billing only what was received is a match.
    assert match(store, acme(3720), ["PO-4500-0150"]).finding.kind == "matched"
    closed = match(store, acme(48000), ["PO-4500-0101"]).finding
    assert closed.kind == "po_closed"
    # The same supplier and invoice number already booked: a duplicate, whatever the PO.
    dup = match(store, acme(48000, number="ACME-2026-0101"), []).finding
    assert dup.kind == "already_invoiced" and "PO-4500-0101" in dup.reason


def test_a_po_invoiced_in_part_leaves_only_the_rest(store: SqlitePurchaseOrderStore) -> None:
    store.load(
        [],
        invoiced=[
            InvoicedRecord(
                po_number="PO-4500-0142",
                supplier_name=ACME,
                invoice_number="ACME-2026-0150",
                amount_minor=40000,
                invoiced_on=dt.date(2026, 3, 20),
            )
        ],
    )
    finding = match(store, acme(48200), ["PO-4500-0142"]).finding
    assert finding.kind == "already_invoiced"
    assert "GBP 82.00 is left" in finding.reason


def test_what_code_cannot_decide_is_undecided_with_its_reason(
    store: SqlitePurchaseOrderStore,
) -> None:
    ambiguous = match(store, acme_invoice(), [TYPO_REF])
    assert not ambiguous.decided and ambiguous.finding.kind == "ambiguous"
    assert {"PO-4500-0142", "PO-4500-0143"} <= set(ambiguous.candidates)
    assert any("O142" in f.reason and f.kind == "no_po" for f in ambiguous.findings)
    # A PO number of another supplier printed on the invoice.
    other = match(store, acme(9510), ["PO-NW-7781"])
    assert not other.decided and other.finding.kind == "supplier_mismatch"
    # A supplier the store does not know, with POs of others near the amount.
    stranger = Invoice(supplier_name="ACME", currency="GBP", subtotal_minor=9420)
    unknown = match(store, stranger)
    assert not unknown.decided and "not in the purchase-order store" in unknown.finding.reason


def test_no_po_is_decided_when_nothing_could_fit(store: SqlitePurchaseOrderStore) -> None:
    nobody = Invoice(supplier_name="Zeta Widgets GmbH", currency="GBP", subtotal_minor=123)
    outcome = match(store, nobody)
    assert outcome.decided and outcome.finding.kind == "no_po"
    far = match(store, acme(999_999))
    assert far.decided and far.finding.kind == "no_po" and "closest" in far.finding.reason
    credit = acme_invoice().model_copy(update={"document_type": "credit_note"})
    assert match(store, credit).finding.kind == "no_po"


def verify(
    store: SqlitePurchaseOrderStore,
    invoice: Invoice,
    po: str,
    refs: list[str],
    lines: list[int] | None = None,
) -> Verification:
    proposal = ProposedMatch(po_number=po, line_numbers=lines or [1], explanation="x")
    facts = store.facts(po)
    candidates = load_candidates(
        store, invoice, refs, POLICY, also_supplier=facts.po.supplier_name if facts else None
    )
    return verify_proposal(invoice, refs, proposal, facts, candidates, POLICY)


def test_verification_accepts_only_what_code_can_prove(store: SqlitePurchaseOrderStore) -> None:
    ok = verify(store, acme_invoice(), "PO-4500-0142", [TYPO_REF])
    assert ok.verified, ok.problems
    # The look-alike: just as good by amount, further from the printed number.
    twin = verify(store, acme_invoice(), "PO-4500-0143", [TYPO_REF])
    assert not twin.verified and any(p.startswith("ambiguous") for p in twin.problems)
    # Without a printed number, neither look-alike can be told apart.
    assert not verify(store, acme_invoice(), "PO-4500-0142", []).verified
    assert verify(store, acme_invoice(), "PO-9999", []).problems == [
        "PO PO-9999 is not in the purchase-order store"
    ]
    other = verify(store, acme_invoice(), "PO-NW-7781", [])
    assert any(p.startswith("supplier") for p in other.problems)
    assert any(p.startswith("amount") for p in other.problems)
    closed = verify(store, acme(48000), "PO-4500-0101", [])
    assert any("closed" in p for p in closed.problems)
    bad_lines = verify(store, acme_invoice(), "PO-4500-0142", [TYPO_REF], lines=[1, 7])
    assert any("no line(s) [7]" in p for p in bad_lines.problems)
    currency = verify(
        store, acme_invoice().model_copy(update={"currency": "EUR"}), "PO-4500-0142", [TYPO_REF]
    )
    assert any(p.startswith("currency") for p in currency.problems)
    dup = verify(store, acme(48000, number="ACME-2026-0101"), "PO-4500-0142", [TYPO_REF])
    assert any(p.startswith("already invoiced") for p in dup.problems)


def test_a_name_written_differently_is_accepted_only_when_unique(
    store: SqlitePurchaseOrderStore,
) -> None:
    short = Invoice(supplier_name="Blue Harbour", currency="EUR", subtotal_minor=160200)
    assert verify(store, short, "PO-BHL-DE-0077", []).verified
    stranger = Invoice(supplier_name="Harbour Blue Shipping", currency="EUR", subtotal_minor=160200)
    assert not verify(store, stranger, "PO-BHL-DE-0077", []).verified


def test_po_references_printed_on_a_document() -> None:
    text = "Invoice ACME-1\nYour order ref: PO-NW-7781.\nPO: 4500-0142\nTotal 123.00 GBP"
    assert find_po_references(text) == ["PO-NW-7781", "4500-0142"]
    assert find_po_references("Total 123.00, tel 0123 456") == []


def test_tool_calls_are_validated_before_anything_runs(store: SqlitePurchaseOrderStore) -> None:
    def call(name: str, arguments: str) -> ValidCall | RejectedCall:
        return validate_call(ToolCall(id="c1", name=name, arguments=arguments))

    assert isinstance(call("delete_purchase_order", "{}"), RejectedCall)
    assert "not valid JSON" in call("get_purchase_order", "{").error  # type: ignore[union-attr]
    assert isinstance(call("get_purchase_order", '{"po_number": 42}'), RejectedCall)
    assert isinstance(call("get_purchase_order", '{"po_number": "x", "extra": 1}'), RejectedCall)
    assert isinstance(
        call("query_purchase_orders", '{"min_amount_minor": 5, "max_amount_minor": 1}'),
        RejectedCall,
    )
    assert isinstance(call("get_purchase_order", "[]"), RejectedCall)
    assert isinstance(
        call("get_purchase_order", '{"po_number": "' + "x" * 5000 + '"}'), RejectedCall
    )
    ok = call("get_purchase_order", '{"po_number": " PO-4500-0142 "}')
    assert isinstance(ok, ValidCall) and ok.arguments == {"po_number": "PO-4500-0142"}
    # The same call with its keys in another order is the same call.
    a = call("check_duplicate_invoice", '{"supplier_name": "A", "invoice_number": "1"}')
    b = call("check_duplicate_invoice", '{"invoice_number": "1", "supplier_name": "A"}')
    assert a.signature == b.signature


def test_tool_results_are_cut_to_the_top_n_with_a_summary(store: SqlitePurchaseOrderStore) -> None:
    result = run_tool(
        store, "query_purchase_orders", {"min_amount_minor": 0, "max_amount_minor": 10**9}, 3
    )
    assert isinstance(result, PoListResult)
    assert len(result.items) == 3 and result.total == 9
    assert "6 more not shown" in result.summary
    near = run_tool(
        store, "query_purchase_orders", {"min_amount_minor": 48000, "max_amount_minor": 48400}, 2
    )
    assert isinstance(near, PoListResult)
    assert near.items[0].po_number in ("PO-4500-0142", "PO-4500-0143")


def test_review_reasons_for_routing() -> None:
    finding = Finding(kind="amount_mismatch", reason="amount mismatch with PO X: over by GBP 3.50")
    matched = ReconciliationResult(
        status="matched", decided_by="code", finding=finding.model_copy(update={"kind": "matched"})
    )
    assert reconciliation_review_reasons(matched) == []
    review = ReconciliationResult(status="escalated", decided_by="code", finding=finding)
    assert reconciliation_review_reasons(review) == [
        "purchase order: amount mismatch with PO X: over by GBP 3.50"
    ]
    failed = ReconciliationResult(
        status="failed", decided_by="agent", finding=finding, reason="model down"
    )
    assert "reconciliation failed (model down)" in reconciliation_review_reasons(failed)[0]


def test_quantities_received_are_valued_at_po_prices(store: SqlitePurchaseOrderStore) -> None:
    facts = store.facts("PO-4500-0150")
    assert facts is not None
    assert facts.received_quantity(1) == Decimal(2) and facts.received_minor == 3720
