"""Code verifies what the model proposes, before it counts. Plain functions, no I/O.

A proposal counts only when every check passes: the PO exists; it is the invoice's
supplier (same name key or VAT id, or a name made of the same words when nothing else
fits); same currency; the PO is not closed; the invoice is not already booked; the lines
named are lines of that PO; the amount matches as code would match it (two- or three-way,
within tolerance); and no other open PO fits as well, unless the PO number printed on the
invoice is a near-typo of the proposed one and of no other. The last check is what keeps
a plausible guess between look-alike POs from becoming a match.
"""

from __future__ import annotations

from schemas.invoice.invoice import Invoice
from schemas.reconciliation.agent import ProposedMatch, Verification
from schemas.reconciliation.findings import ReconciliationPolicy
from schemas.reconciliation.purchase_orders import CandidateSet, PoFacts
from vouchflow.reconciliation.matching import (
    invoice_net_minor,
    judge,
    near_amount,
    po_distance,
    same_supplier,
    similar_supplier,
)
from vouchflow.stores.purchase_orders import ident_key


def _fits(invoice: Invoice, net: int, facts: PoFacts, policy: ReconciliationPolicy) -> bool:
    """Would this PO pass the supplier, currency, status and amount checks?"""
    return (
        facts.po.currency == invoice.currency
        and facts.po.status != "closed"
        and similar_supplier(invoice, facts.po)
        and near_amount(net, facts, policy)
        and judge(invoice, net, facts, policy, how="proposed").kind == "matched"
    )


def verify_proposal(
    invoice: Invoice,
    references: list[str],
    proposal: ProposedMatch,
    proposed: PoFacts | None,
    candidates: CandidateSet,
    policy: ReconciliationPolicy,
) -> Verification:
    """`proposed`: the store's facts for the proposed PO (None if it does not exist);
    `candidates`: the other POs that could fit (the supplier's and those near the amount)."""
    problems: list[str] = []
    passed: list[str] = []
    po_number = proposal.po_number
    if proposed is None:
        return Verification(
            verified=False,
            po_number=po_number,
            problems=[f"PO {po_number} is not in the purchase-order store"],
        )
    po = proposed.po
    net = invoice_net_minor(invoice)
    if same_supplier(invoice, po):
        passed.append(f"supplier: {po.supplier_name} is the invoice's supplier")
    elif similar_supplier(invoice, po):
        passed.append(
            f"supplier: {invoice.supplier_name!r} is written as {po.supplier_name!r} on the PO"
        )
    else:
        problems.append(
            f"supplier: the PO is {po.supplier_name!r}, the invoice is {invoice.supplier_name!r}"
        )
    if po.currency == invoice.currency:
        passed.append(f"currency: {po.currency}")
    else:
        problems.append(f"currency: the PO is in {po.currency}, the invoice in {invoice.currency}")
    if po.status == "closed":
        problems.append(f"status: PO {po.po_number} is closed")
    else:
        passed.append(f"status: {po.status}")
    if candidates.same_invoice:
        first = candidates.same_invoice[0]
        problems.append(
            f"already invoiced: {first.invoice_number} was booked against PO {first.po_number}"
        )
    else:
        passed.append("not already invoiced")
    line_nos = {line.line_no for line in po.lines}
    unknown_lines = sorted(set(proposal.line_numbers) - line_nos)
    if unknown_lines:
        problems.append(f"lines: PO {po.po_number} has no line(s) {unknown_lines}")
    else:
        passed.append(f"lines: {sorted(set(proposal.line_numbers)) or 'all'} on the PO")
    if net is None or net <= 0:
        problems.append("amount: the invoice has no usable net amount")
    else:
        finding = judge(invoice, net, proposed, policy, how="proposed by the model")
        if finding.kind == "matched":
            passed.append(f"amount: {finding.reason}")
        else:
            problems.append(f"amount: {finding.reason}")
        rivals = sorted(
            {
                f.po.po_number: f
                for f in (*candidates.by_supplier, *candidates.by_amount, *candidates.by_reference)
                if ident_key(f.po.po_number) != ident_key(po.po_number)
                and _fits(invoice, net, f, policy)
            }.values(),
            key=lambda f: f.po.po_number,
        )
        if rivals:
            mine = min((po_distance(r, po.po_number) for r in references), default=None)
            theirs = min(
                (po_distance(r, f.po.po_number) for r in references for f in rivals),
                default=None,
            )
            if (
                mine is not None
                and mine <= policy.po_typo_distance
                and (theirs is None or mine < theirs)
            ):
                passed.append(
                    f"unique: the printed PO number is {mine} edit(s) from {po.po_number} and"
                    " further from the other POs that fit"
                )
            else:
                problems.append(
                    "ambiguous: other open POs fit this invoice as well: "
                    + ", ".join(f.po.po_number for f in rivals[:5])
                )
        else:
            passed.append("unique: no other open PO fits this invoice")
    return Verification(
        verified=not problems, po_number=po.po_number, problems=problems, passed=passed
    )
