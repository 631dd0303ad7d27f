"""Which learned supplier sent this document: by VAT id, IBAN / account number or name.

An identifier that several templates share (the buyer's own VAT id, printed on every
invoice we receive) recognises nobody. The IBAN alone never decides against the name or
VAT id: a changed IBAN is what the fraud check must see, not a reason to miss the
supplier.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vouchflow.invoice.templates.identity import SupplierIdentity, display_id, name_key
from vouchflow.invoice.templates.models import SupplierTemplate


@dataclass(frozen=True, slots=True)
class Recognised:
    template: SupplierTemplate
    matched_by: list[str]


def recognise(
    templates: list[SupplierTemplate],
    document: SupplierIdentity,
    extracted_name: str | None,
    page_text: str = "",
) -> Recognised | None:
    shared: Counter[str] = Counter()
    for t in templates:
        for value in {*t.identity.vat_ids, *t.identity.ibans, *t.identity.account_numbers}:
            shared[value] += 1
    page_key = name_key(page_text) if page_text else ""
    extracted_key = name_key(extracted_name)
    best: tuple[int, Recognised] | None = None
    for t in templates:
        reasons: list[str] = []
        score = 0
        ours = set(t.buyer_identity.vat_ids)
        for vat in document.vat_ids:
            if vat in t.identity.vat_ids and shared[vat] == 1 and vat not in ours:
                reasons.append(f"VAT id {vat}")
                score += 3
        for bank in document.bank_details:
            if bank in t.identity.bank_details and shared[bank] == 1:
                reasons.append(f"bank details {display_id(bank)}")
                score += 3
        if t.supplier_key and extracted_key == t.supplier_key:
            reasons.append(f"name {t.supplier_name!r}")
            score += 2
        elif t.supplier_key and len(t.supplier_key) >= 5 and t.supplier_key in page_key:
            reasons.append(f"name {t.supplier_name!r} on the page")
            score += 1
        if score >= 2 and (best is None or score > best[0]):
            best = (score, Recognised(t, reasons))
    return best[1] if best else None
