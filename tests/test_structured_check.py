"""An e-invoice whose XML disagrees with its visible page goes to review, both values shown."""

from __future__ import annotations

import datetime as dt

from schemas.invoice.extraction import ExtractionResult, ExtractorInfo, FieldEvidence
from schemas.invoice.invoice import Invoice, LineItem
from vouchflow.invoice.extraction.structured_check import cross_check_structured
from vouchflow.invoice.rules.assess import assess
from vouchflow.settings import Settings

PAGE = """Acme Office Supplies Ltd
INVOICE
Invoice No: ACME-77
Invoice Date: 01/10/2026
Due Date: 31/10/2026
Description    Qty    Unit Price    VAT    Amount
Paper    2    £50.00    20%    £100.00
Subtotal: £100.00
VAT: £20.00
Total: £{total}
"""


def _xml_result(total_minor: int) -> ExtractionResult:
    invoice = Invoice(
        supplier_name="Acme Office Supplies Ltd",
        invoice_number="ACME-77",
        issue_date=dt.date(2026, 10, 1),
        due_date=dt.date(2026, 10, 31),
        currency="GBP",
        subtotal_minor=10000,
        tax_total_minor=2000,
        total_minor=total_minor,
        line_items=[
            LineItem(
                description="Paper",
                quantity=2,
                unit_price_minor=5000,
                tax_rate=20,
                line_total_minor=10000,
            )
        ],
    )
    evidence = [
        FieldEvidence(field=f, value=str(getattr(invoice, f)), source_text="xml", certainty=1.0)
        for f in ("supplier_name", "invoice_number", "issue_date", "currency", "total_minor")
    ]
    return ExtractionResult(
        invoice=invoice,
        evidence=evidence,
        extractor=ExtractorInfo(kind="einvoice", name="embedded e-invoice XML (CII)"),
    )


def test_agreeing_page_keeps_the_structured_result(settings: Settings) -> None:
    result = cross_check_structured(
        _xml_result(12000), PAGE.format(total="120.00"), filename="a.pdf"
    )
    assert result.disagreeing_fields == []
    assert result.agreement == 1.0
    assessment = assess(
        result, duplicates=[], today=dt.date(2026, 11, 1), settings=settings, text_method="pdf_text"
    )
    assert not any("disagree" in r for r in assessment.decision.reasons)


def test_disagreeing_total_routes_to_review_with_both_values(settings: Settings) -> None:
    # The XML says 120.00, the printed page says 150.00 (this happens in real files).
    xml = _xml_result(12000)
    result = cross_check_structured(xml, PAGE.format(total="150.00"), filename="a.pdf")
    assert result.disagreeing_fields == ["total_minor"]
    assert result.cross_check_invoice is not None
    assert result.cross_check_invoice.total_minor == 15000
    assert result.invoice.total_minor == 12000  # the XML result itself is kept
    assessment = assess(
        result, duplicates=[], today=dt.date(2026, 11, 1), settings=settings, text_method="pdf_text"
    )
    assert assessment.decision.route == "review"
    reason = next(r for r in assessment.decision.reasons if "disagree" in r)
    assert "XML says GBP 120.00, the page says GBP 150.00" in reason


def test_a_cut_page_is_not_compared_on_totals() -> None:
    # The page's total may lie after the cut: only fields printed before it are compared.
    result = cross_check_structured(
        _xml_result(99999), PAGE.format(total="120.00"), filename="x.pdf", page_truncated=True
    )
    assert not [p for p in result.problems if p.code == "einvoice.page_mismatch"]
    assert any("totals were not compared" in note for note in result.notes)


def test_each_disagreeing_field_is_a_problem_with_both_values() -> None:
    page = PAGE.format(total="120.00").replace("Acme Office Supplies Ltd", "Zenith Paper GmbH")
    page = page.replace("£", "$").replace("ACME-77", "ZP-1").replace("31/10/2026", "30/11/2026")
    result = cross_check_structured(_xml_result(12000), page, filename="x.pdf")

    found = {p.field: p for p in result.problems if p.code == "einvoice.page_mismatch"}
    assert set(found) == {"supplier_name", "invoice_number", "due_date", "currency"}
    assert "'ACME-77'" in found["invoice_number"].message
    assert "'ZP-1'" in found["invoice_number"].message
    assert found["invoice_number"].raw_text and "ZP-1" in found["invoice_number"].raw_text
    assert "'2026-10-31'" in found["due_date"].message
    assert set(result.disagreeing_fields) == set(found)


def test_supplier_names_are_compared_loosely() -> None:
    page = PAGE.format(total="120.00").replace(
        "Acme Office Supplies Ltd", "ACME OFFICE SUPPLIES LIMITED"
    )
    result = cross_check_structured(_xml_result(12000), page, filename="x.pdf")
    assert not [p for p in result.problems if p.code == "einvoice.page_mismatch"]
