"""Compare an exactly-read e-invoice with what the rules extractor reads on the page.

Only fields the page yields are compared; a field the page does not show is not a
disagreement. The comparison is recorded on the e-invoice result (both invoices kept).
"""

from __future__ import annotations

from extraction.rules import extract_with_rules
from schemas.extraction import ExtractionResult

COMPARED_FIELDS = ("invoice_number", "total_minor", "currency", "issue_date")


def _norm(value: object) -> str:
    return "".join(str(value).split()).casefold().lstrip("#")


def cross_check_structured(
    result: ExtractionResult, text: str, *, filename: str
) -> ExtractionResult:
    visible = extract_with_rules(text, filename=filename).invoice
    compared = 0
    disagreeing: list[str] = []
    for field in COMPARED_FIELDS:
        xml_value = getattr(result.invoice, field)
        page_value = getattr(visible, field)
        if xml_value is None or page_value is None:
            continue
        compared += 1
        if _norm(xml_value) != _norm(page_value):
            disagreeing.append(field)
    agreement = None if compared == 0 else (compared - len(disagreeing)) / compared
    notes = list(result.notes)
    if disagreeing:
        notes.append("e-invoice XML and visible text disagree on: " + ", ".join(disagreeing))
    return result.model_copy(
        update={
            "cross_check_invoice": visible,
            "agreement": agreement,
            "disagreeing_fields": disagreeing,
            "notes": notes,
        }
    )
