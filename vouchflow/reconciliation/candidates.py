"""Everything the store knows that could settle one invoice (one read per invoice; the
matcher and the verifier then decide in plain functions)."""

from __future__ import annotations

from schemas.invoice.invoice import Invoice
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.purchase_orders import CandidateSet, PoFacts
from vouchflow.reconciliation.matching import invoice_net_minor
from vouchflow.reconciliation.tools import reference_keys
from vouchflow.stores.purchase_orders import PurchaseOrderStore

# A supplier with more POs than this is read in part (most recent first); the matcher
# then sees a slice and says so through an undecided outcome rather than guessing.
MAX_SUPPLIER_POS = 200
MAX_AMOUNT_NEIGHBOURS = 50


def load_candidates(
    store: PurchaseOrderStore,
    invoice: Invoice,
    references: list[str],
    policy: ReconciliationPolicy,
    *,
    also_supplier: str | None = None,
) -> CandidateSet:
    by_reference: list[PoFacts] = []
    seen: set[str] = set()
    for reference in references:
        for key in reference_keys(reference):
            facts = store.facts(key)
            if facts is not None and facts.po.po_number not in seen:
                seen.add(facts.po.po_number)
                by_reference.append(facts)
                break
    by_supplier: list[PoFacts] = []
    supplier_known = False
    if invoice.supplier_name or invoice.supplier_vat_id:
        by_supplier = store.query(
            supplier_name=invoice.supplier_name,
            supplier_vat_id=invoice.supplier_vat_id,
            limit=MAX_SUPPLIER_POS,
        )
        supplier_known = bool(by_supplier) or (
            bool(invoice.supplier_name)
            and store.supplier_history(invoice.supplier_name or "").known
        )
    if also_supplier:
        known = {f.po.po_number for f in by_supplier}
        by_supplier += [
            f
            for f in store.query(supplier_name=also_supplier, limit=MAX_SUPPLIER_POS)
            if f.po.po_number not in known
        ]
    by_amount: list[PoFacts] = []
    net = invoice_net_minor(invoice)
    if net is not None and net > 0 and invoice.currency:
        tol = policy.tolerance_for(net)
        by_amount = store.query(
            currency=invoice.currency,
            min_total_minor=net - tol,
            max_total_minor=net + tol,
            statuses=["open", "partially_received"],
            limit=MAX_AMOUNT_NEIGHBOURS,
        )
    same_invoice = []
    if invoice.supplier_name and invoice.invoice_number:
        same_invoice = store.invoices(
            supplier_name=invoice.supplier_name, invoice_number=invoice.invoice_number
        )
    return CandidateSet(
        by_reference=by_reference,
        by_supplier=by_supplier,
        by_amount=by_amount,
        same_invoice=same_invoice,
        supplier_known=supplier_known,
    )
