"""Deterministic purchase-order matching: plain functions, no I/O.

    printed PO number (same supplier)  -> judge that PO
    else supplier + amount within tolerance, exactly one open PO -> judge that PO
    judge = two-way (invoice vs PO) or three-way (invoice vs PO vs goods received),
            against what is left to invoice on the PO

Each outcome is a `Finding` with its reason. When code cannot tell which PO an invoice
belongs to (several fit, the printed number is unknown or names another supplier's PO,
the supplier is not in the store but POs near the amount are), the outcome is undecided:
the agent may look, or a person decides. Amounts compared are net of tax: a PO orders
goods at net prices; the invoice's VAT is checked by validation, not here.
"""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from schemas.common.money import format_minor
from schemas.invoice.invoice import Invoice
from schemas.reconciliation.findings import Finding, MatchOutcome, ReconciliationPolicy
from schemas.reconciliation.purchase_orders import CandidateSet, PoFacts, PurchaseOrder
from vouchflow.invoice.templates.identity import _LEGAL_FORMS
from vouchflow.stores.purchase_orders import ident_key, supplier_key, vat_key

# Two supplier names are "the same supplier written differently" at or above this
# token-set similarity (legal forms and punctuation dropped first).
SIMILAR_NAME_SCORE = 90


def invoice_net_minor(invoice: Invoice) -> int | None:
    """The invoice's net amount: its subtotal, else total minus tax, else its lines."""
    if invoice.subtotal_minor is not None:
        return invoice.subtotal_minor
    if invoice.total_minor is not None and invoice.tax_total_minor is not None:
        return invoice.total_minor - invoice.tax_total_minor
    totals = [li.line_total_minor for li in invoice.line_items]
    if totals and all(t is not None for t in totals):
        return sum(t for t in totals if t is not None)
    return None


def _money(amount: int, currency: str | None) -> str:
    return format_minor(amount, currency) if currency else str(amount)


def same_supplier(invoice: Invoice, po: PurchaseOrder) -> bool:
    """Same name key ('Acme Ltd' = 'ACME LIMITED') or the same VAT id."""
    if invoice.supplier_name and supplier_key(invoice.supplier_name) == supplier_key(
        po.supplier_name
    ):
        return True
    ours, theirs = vat_key(invoice.supplier_vat_id), vat_key(po.supplier_vat_id)
    return ours is not None and ours == theirs


def _words(name: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in name.casefold()).split())


def similar_supplier(invoice: Invoice, po: PurchaseOrder) -> bool:
    """The same supplier, or a name that contains the other's words ('ACME' for 'Acme
    Office Supplies Ltd'). Only ever used together with a uniqueness check."""
    if same_supplier(invoice, po):
        return True
    if not invoice.supplier_name:
        return False
    a, b = (
        _words(supplier_key_words(invoice.supplier_name)),
        _words(supplier_key_words(po.supplier_name)),
    )
    return bool(a and b) and fuzz.token_set_ratio(a, b) >= SIMILAR_NAME_SCORE


def supplier_key_words(name: str) -> str:
    """A name with its legal form dropped but its words kept (for similarity)."""
    lowered = " ".join(name.casefold().split())
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FORMS:
            if lowered.endswith(" " + form) or lowered.endswith("," + form):
                lowered = lowered[: -len(form)].rstrip(" ,&")
                changed = True
    return lowered


def po_distance(reference: str, po_number: str) -> int:
    return int(Levenshtein.distance(ident_key(reference), ident_key(po_number)))


def amounts_to_compare(facts: PoFacts, three_way: bool) -> list[int]:
    """What an invoice of this PO could bill: what is left to invoice and, three-way,
    what was received and not yet invoiced."""
    remaining = facts.po.total_minor - facts.invoiced_minor
    out = [remaining]
    if three_way:
        out.append(facts.received_minor - facts.invoiced_minor)
    return out


def near_amount(net: int, facts: PoFacts, policy: ReconciliationPolicy) -> bool:
    tol = policy.tolerance_for(net)
    return any(abs(net - amount) <= tol for amount in amounts_to_compare(facts, True)) or (
        abs(net - facts.po.total_minor) <= tol
    )


def judge(
    invoice: Invoice, net: int, facts: PoFacts, policy: ReconciliationPolicy, *, how: str
) -> Finding:
    """The two- or three-way match of an invoice against one identified PO."""
    po = facts.po
    currency = invoice.currency
    if po.currency != currency:
        return Finding(
            kind="currency_mismatch",
            po_number=po.po_number,
            currency=currency,
            reason=f"the invoice is in {currency}, PO {po.po_number} ({how}) is in {po.currency}",
        )
    if po.status == "closed":
        return Finding(
            kind="po_closed",
            po_number=po.po_number,
            currency=currency,
            reason=f"PO {po.po_number} ({how}) is closed: nothing more may be invoiced on it",
        )
    tol = policy.tolerance_for(net)
    remaining = po.total_minor - facts.invoiced_minor
    if facts.invoiced and net > remaining + tol:
        booked = ", ".join(r.invoice_number for r in facts.invoiced[:5])
        return Finding(
            kind="already_invoiced",
            po_number=po.po_number,
            currency=currency,
            difference_minor=net - remaining,
            reason=(
                f"PO {po.po_number} ({how}) is already invoiced for"
                f" {_money(facts.invoiced_minor, currency)} of {_money(po.total_minor, currency)}"
                f" ({booked}); {_money(remaining, currency)} is left and this invoice bills"
                f" {_money(net, currency)}"
            ),
        )
    if policy.three_way:
        receivable = facts.received_minor - facts.invoiced_minor
        if receivable > 0 and abs(net - receivable) <= tol:
            partial = facts.received_minor < po.total_minor
            return Finding(
                kind="matched",
                po_number=po.po_number,
                currency=currency,
                match_type="three_way",
                difference_minor=net - receivable,
                reason=(
                    f"three-way match with PO {po.po_number} ({how}): the invoice's"
                    f" {_money(net, currency)} net is within {_money(tol, currency)} of the"
                    f" goods received and not yet invoiced ({_money(receivable, currency)})"
                    + ("; the rest of the PO is still to be delivered" if partial else "")
                ),
            )
        if abs(net - remaining) <= tol:
            return Finding(
                kind="partially_received",
                po_number=po.po_number,
                currency=currency,
                match_type="three_way",
                difference_minor=net - receivable,
                reason=(
                    f"PO {po.po_number} ({how}) is only partly received: the invoice bills"
                    f" {_money(net, currency)} but goods worth"
                    f" {_money(max(receivable, 0), currency)} were received and not yet"
                    f" invoiced (of {_money(po.total_minor, currency)} ordered)"
                ),
            )
    elif abs(net - remaining) <= tol:
        return Finding(
            kind="matched",
            po_number=po.po_number,
            currency=currency,
            match_type="two_way",
            difference_minor=net - remaining,
            reason=(
                f"two-way match with PO {po.po_number} ({how}): the invoice's"
                f" {_money(net, currency)} net is within {_money(tol, currency)} of the"
                f" {_money(remaining, currency)} left to invoice"
            ),
        )
    return Finding(
        kind="amount_mismatch",
        po_number=po.po_number,
        currency=currency,
        match_type="three_way" if policy.three_way else "two_way",
        difference_minor=net - remaining,
        reason=(
            f"amount mismatch with PO {po.po_number} ({how}): the invoice bills"
            f" {_money(net, currency)} net, the PO has {_money(remaining, currency)} left to"
            f" invoice: {'over' if net > remaining else 'under'} by"
            f" {_money(abs(net - remaining), currency)} (tolerance {_money(tol, currency)})"
        ),
    )


def _decided(finding: Finding, notes: list[Finding], candidates: list[str]) -> MatchOutcome:
    return MatchOutcome(
        decided=True, finding=finding, findings=[*notes, finding], candidates=candidates
    )


def _undecided(finding: Finding, notes: list[Finding], candidates: list[str]) -> MatchOutcome:
    return MatchOutcome(
        decided=False, finding=finding, findings=[*notes, finding], candidates=candidates
    )


def match_invoice(
    invoice: Invoice,
    references: list[str],
    candidates: CandidateSet,
    policy: ReconciliationPolicy,
) -> MatchOutcome:
    currency = invoice.currency
    considered = sorted(
        {f.po.po_number for f in (*candidates.by_reference, *candidates.by_supplier)}
    )
    if invoice.document_type == "credit_note":
        return _decided(
            Finding(kind="no_po", reason="a credit note is not matched against purchase orders"),
            [],
            [],
        )
    net = invoice_net_minor(invoice)
    if net is None or net <= 0 or not currency:
        return _decided(
            Finding(
                kind="no_po",
                currency=currency,
                reason="the invoice has no usable net amount and currency to match on",
            ),
            [],
            [],
        )
    if candidates.same_invoice:
        first = candidates.same_invoice[0]
        return _decided(
            Finding(
                kind="already_invoiced",
                po_number=first.po_number,
                currency=currency,
                reason=(
                    f"invoice {first.invoice_number} from {first.supplier_name} was already"
                    f" booked against PO {first.po_number} on {first.invoiced_on.isoformat()}"
                ),
            ),
            [],
            considered,
        )
    notes: list[Finding] = []
    # 1. A PO number printed on the invoice, of the same supplier.
    conflicting: list[PoFacts] = []
    for facts in candidates.by_reference:
        if same_supplier(invoice, facts.po):
            return _decided(
                judge(invoice, net, facts, policy, how="its number is printed on the invoice"),
                notes,
                considered,
            )
        conflicting.append(facts)
    known_refs = {ident_key(f.po.po_number) for f in candidates.by_reference}
    unknown_refs = [r for r in references if ident_key(r) not in known_refs]
    if unknown_refs:
        notes.append(
            Finding(
                kind="no_po",
                reason=f"PO number {', '.join(unknown_refs[:3])} printed on the invoice is not"
                " in the purchase-order store",
            )
        )
    # 2. The supplier's POs near the amount.
    own = [f for f in candidates.by_supplier if f.po.currency == currency]
    near = [f for f in own if near_amount(net, f, policy)]
    near_open = [f for f in near if f.po.status != "closed"]
    if not conflicting and len(near_open) == 1:
        return _decided(
            judge(invoice, net, near_open[0], policy, how="same supplier, amount within tolerance"),
            notes,
            considered,
        )
    if len(near_open) > 1:
        return _undecided(
            Finding(
                kind="ambiguous",
                currency=currency,
                reason=(
                    f"{len(near_open)} open POs of this supplier are within tolerance of"
                    f" {_money(net, currency)}: " + ", ".join(f.po.po_number for f in near_open[:5])
                ),
            ),
            notes,
            considered,
        )
    if conflicting:
        other = conflicting[0].po
        return _undecided(
            Finding(
                kind="supplier_mismatch",
                po_number=other.po_number,
                currency=currency,
                reason=(
                    f"PO {other.po_number} printed on the invoice belongs to"
                    f" {other.supplier_name}, not {invoice.supplier_name or 'the invoice supplier'}"
                ),
            ),
            notes,
            considered,
        )
    if not near_open and len(near) == 1:
        return _decided(
            judge(invoice, net, near[0], policy, how="same supplier, amount within tolerance"),
            notes,
            considered,
        )
    others_near = [
        f
        for f in candidates.by_amount
        if f.po.status != "closed"
        and f.po.currency == currency
        and not same_supplier(invoice, f.po)
    ]
    # Another supplier's open PO near the amount: the printed number may be a typo of it,
    # or the supplier's name may be written differently there. Code cannot tell.
    if others_near and (unknown_refs or not candidates.supplier_known):
        why = (
            notes[0].reason
            if unknown_refs
            else f"{invoice.supplier_name or 'the supplier'} is not in the purchase-order store"
        )
        return _undecided(
            Finding(
                kind="no_po",
                currency=currency,
                reason=f"{why}; {len(others_near)} open PO(s) of other suppliers are near the"
                " amount",
            ),
            notes[1:] if unknown_refs else notes,
            sorted({*considered, *(f.po.po_number for f in others_near)}),
        )
    open_own = [f for f in own if f.po.status != "closed"]
    if len(open_own) == 1 and not unknown_refs:
        return _decided(
            judge(invoice, net, open_own[0], policy, how="the supplier's only open PO"),
            notes,
            considered,
        )
    if open_own:
        closest = min(open_own, key=lambda f: abs(net - (f.po.total_minor - f.invoiced_minor)))
        gap = net - (closest.po.total_minor - closest.invoiced_minor)
        return _decided(
            Finding(
                kind="no_po",
                currency=currency,
                po_number=closest.po.po_number,
                difference_minor=gap,
                reason=(
                    f"none of the supplier's {len(open_own)} open POs is within"
                    f" {_money(policy.tolerance_for(net), currency)} of {_money(net, currency)}"
                    f" (closest: {closest.po.po_number}, off by {_money(abs(gap), currency)})"
                ),
            ),
            notes,
            considered,
        )
    return _decided(
        Finding(
            kind="no_po",
            currency=currency,
            reason=f"no open purchase order for {invoice.supplier_name or 'this supplier'}"
            f" in {currency}",
        ),
        notes,
        considered,
    )
