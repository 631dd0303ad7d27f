"""Two readings of one page, and how sure their agreement makes us.

The rules extractor reads each header field twice: from lines of text (labels and
patterns, ``rules.py``) and from words with their positions (``page_fields``). The
positional reading wins where they differ, because it knows which value belongs to
which label; but a disagreement is itself a signal, so the field's certainty drops
below any auto-draft threshold and a person looks. Agreement raises certainty; a
value only one reader found keeps that reader's certainty, capped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from schemas.invoice.extraction import ExtractionProblem, ExtractionResult, FieldEvidence
from vouchflow.invoice.extraction.page_fields import HEADER, PageFields
from vouchflow.invoice.extraction.page_supplier import is_buyer, plausible_name
from vouchflow.invoice.extraction.problems import bounded_minor
from vouchflow.invoice.rules.identifiers import normalise_identifier

AGREE_BONUS = 0.1
MAX_CERTAINTY = 0.97
DISAGREE_CAP = 0.4
# A value only the line reader found: it has no position to back it.
LINES_ONLY_CAP = 0.6
# A layout reading this sure (a labelled value, totals that add up) wins any disagreement.
SURE_LAYOUT = 0.8
DISAGREE_PENALTY = 0.15


def _same(field: str, a: object, b: object) -> bool:
    if a is None or b is None:
        return False
    if field in ("supplier_name", "invoice_number"):
        ka, kb = normalise_identifier(str(a)) or "", normalise_identifier(str(b)) or ""
        if field == "supplier_name" and min(len(ka), len(kb)) >= 4:
            return ka in kb or kb in ka
        return ka == kb
    return a == b


def _page_value(
    field: str,
    reading: object,
    currency: str | None,
    credit: bool,
    problems: list[ExtractionProblem],
) -> object:
    if isinstance(reading, Decimal):
        value = abs(reading) if credit else reading
        return bounded_minor(value, currency, field, None, problems)
    if isinstance(reading, dt.date | str):
        return reading
    return None


def _not_a_supplier(name: object, page: PageFields) -> str | None:
    """Why the line reader's supplier cannot be the issuer, if it cannot."""
    if not name:
        return None
    if not plausible_name(str(name)):
        return "reads as an address, not a name"
    if is_buyer(str(name), set(page.buyer_names)):
        return "is the buyer on this page, not the issuer"
    return None


def merge_page_reading(result: ExtractionResult, page: PageFields) -> ExtractionResult:
    invoice = result.invoice
    evidence = {e.field: e for e in result.evidence}
    credit = invoice.document_type == "credit_note"
    updates: dict[str, object] = {}
    merged: dict[str, FieldEvidence] = {}
    notes = list(result.notes)
    scratch: list[ExtractionProblem] = []
    # Currency first: amounts are converted to minor units in it.
    order = ["currency", *[f for f in HEADER if f != "currency"]]
    currency = invoice.currency
    for field in order:
        old_value = getattr(invoice, field)
        old = evidence.get(field)
        old_certainty = old.certainty if old else 0.0
        reading = page.fields.get(field)
        why_not = _not_a_supplier(old_value, page) if field == "supplier_name" else None
        if why_not:
            notes.append(f"supplier_name: {old_value!s} {why_not}")
            old_value, old, old_certainty = None, None, 0.0
            updates[field] = None
        page_value = (
            _page_value(field, reading.value, currency, credit, scratch) if reading else None
        )
        if page_value is None:
            if old_value is not None and old is not None:
                merged[field] = old.model_copy(
                    update={"certainty": min(old_certainty, LINES_ONLY_CAP)}
                )
            continue
        assert reading is not None
        source = reading.evidence
        if old_value is None:
            value, certainty = page_value, reading.certainty
        elif _same(field, old_value, page_value):
            value = old_value if field == "supplier_name" else page_value
            certainty = min(MAX_CERTAINTY, max(old_certainty, reading.certainty) + AGREE_BONUS)
        else:
            # The surer reading is kept; either way a person decides.
            keep_lines = old_certainty > reading.certainty and reading.certainty < SURE_LAYOUT
            value = old_value if keep_lines else page_value
            source = (old.source_text if old else None) if keep_lines else source
            if not keep_lines and reading.certainty >= SURE_LAYOUT:
                # A sure layout reading (labelled, or totals that add up) outweighs the
                # line reader, which knows no positions; the doubt still costs certainty.
                certainty = min(reading.certainty - DISAGREE_PENALTY, SURE_LAYOUT)
            else:
                certainty = min(max(old_certainty, reading.certainty), DISAGREE_CAP)
            kept = "text lines" if keep_lines else "layout"
            notes.append(
                f"{field}: the page layout says {page_value!s}, the text lines say"
                f" {old_value!s}; the {kept} reading is kept for review"
            )
        updates[field] = value
        if field == "currency" and isinstance(value, str):
            currency = value
        if reading.cap is not None:
            certainty = min(certainty, reading.cap)  # e.g. day and month could be swapped
        merged[field] = FieldEvidence(
            field=field,
            value=None if value is None else str(value),
            source_text=source,
            certainty=round(certainty, 3),
        )
    if currency != invoice.currency:
        # Amounts the line reader converted in another currency are re-read in this one.
        for field in ("subtotal_minor", "tax_total_minor", "total_minor"):
            if field not in updates and getattr(invoice, field) is not None:
                merged.pop(field, None)
                updates[field] = None
    new_invoice = invoice.model_copy(update=updates)
    rest = [e for e in result.evidence if e.field not in HEADER]
    header = [merged[f] for f in HEADER if f in merged]
    return result.model_copy(
        update={"invoice": new_invoice, "evidence": header + rest, "notes": notes}
    )
