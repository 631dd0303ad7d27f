"""Routing policy, the whole assessment, and reviewer corrections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from schemas.invoice.assessment import Confidence, Finding
from schemas.invoice.effects import DuplicateMatch
from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.invoice import Invoice
from tests.policy_builders import TODAY, make_invoice
from tests.policy_builders import make_extraction as build_extraction
from vouchflow.invoice.rules.assess import apply_corrections, assess, corrected_extraction
from vouchflow.invoice.rules.routing import decide_route
from vouchflow.settings.config import Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def make_extraction(invoice: Invoice | None = None, **overrides: Any) -> ExtractionResult:
    return build_extraction(invoice, certainty=0.95, **overrides)


HIGH = Confidence(score=95, signals=[])


def route(
    settings: Settings,
    *,
    invoice: Invoice | None = None,
    findings: list[Finding] | None = None,
    confidence: Confidence = HIGH,
    extraction: ExtractionResult | None = None,
) -> tuple[str, list[str]]:
    invoice = invoice or make_invoice()
    decision = decide_route(
        invoice,
        findings or [],
        confidence,
        extraction or make_extraction(invoice),
        settings=settings,
    )
    return decision.route, decision.reasons


def test_clean_known_small_invoice_is_auto_drafted(settings: Settings) -> None:
    result, reasons = route(settings)
    assert result == "auto_draft"
    assert len(reasons) == 1


def test_not_an_invoice_is_rejected_first(settings: Settings) -> None:
    extraction = make_extraction(invoice_likelihood=0.2, injection_flags=["x"])
    result, reasons = route(settings, extraction=extraction)
    assert result == "reject_input"
    assert "does not look like an invoice" in reasons[0]


def test_duplicate_is_flagged_with_review_reasons_too(settings: Settings) -> None:
    dup = Finding(code="duplicate.same_document", severity="error", message="seen before")
    result, reasons = route(settings, findings=[dup], confidence=Confidence(score=50, signals=[]))
    assert result == "flag"
    assert reasons[0] == "seen before"
    assert any("confidence 50" in r for r in reasons)


def test_unsupported_currency_is_flagged(settings: Settings) -> None:
    finding = Finding(code="currency.unsupported", severity="error", message="XYZ unsupported")
    result, _ = route(settings, findings=[finding])
    assert result == "flag"


def test_every_review_reason_is_listed(settings: Settings) -> None:
    invoice = make_invoice(supplier_name="Stranger Ltd", total_minor=600_000)
    extraction = make_extraction(
        invoice,
        injection_flags=["ignore previous instructions"],
        failed_closed=True,
        failure_reason="schema invalid twice",
        text_truncated=True,
    )
    error = Finding(code="date.due_before_issue", severity="error", message="due before issue")
    warning = Finding(code="required.due_date", severity="warning", message="no due date")
    result, reasons = route(
        settings,
        invoice=invoice,
        findings=[error, warning],
        confidence=Confidence(score=40, signals=[]),
        extraction=extraction,
    )
    assert result == "review"
    text = "\n".join(reasons)
    assert "due before issue" in text
    assert "no due date" not in text
    assert "prompt injection" in text
    assert "schema invalid twice" in text
    assert "cut at the size limit" in text
    assert "confidence 40 is below the auto-draft minimum 85" in text
    assert "above the auto-draft limit GBP 5,000.00" in text
    assert "'Stranger Ltd' is not a known supplier" in text
    assert len(reasons) == 7


def test_low_confidence_alone_means_review(settings: Settings) -> None:
    result, reasons = route(settings, confidence=Confidence(score=84, signals=[]))
    assert (result, len(reasons)) == ("review", 1)


def test_total_at_the_limit_is_allowed_and_missing_limit_means_review(settings: Settings) -> None:
    limit = settings.routing.auto_draft_limit_minor["GBP"]
    at_limit = make_invoice(
        subtotal_minor=limit, tax_total_minor=0, total_minor=limit, line_items=[]
    )
    assert route(settings, invoice=at_limit)[0] == "auto_draft"
    chf = make_invoice(currency="CHF")
    result, reasons = route(settings, invoice=chf)
    assert result == "review"
    assert reasons == ["no auto-draft limit is configured for CHF"]


def test_assess_clean_invoice_auto_drafts(settings: Settings) -> None:
    assessment = assess(
        make_extraction(), duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
    )
    assert assessment.decision.route == "auto_draft"
    assert assessment.confidence.score >= settings.confidence.auto_draft_min_score
    assert assessment.findings == []
    assert assessment.duplicate_of is None


def test_assess_wrong_total_goes_to_review_with_recomputed_invoice(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(total_minor=12_500))
    assessment = assess(
        extraction, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
    )
    assert assessment.invoice.total_minor == 12_000
    assert [f.code for f in assessment.errors] == ["arithmetic.total_recomputed"]
    assert assessment.decision.route == "review"


def test_assess_duplicates_flag_and_name_the_original(settings: Settings) -> None:
    duplicates = [
        DuplicateMatch(
            bill_id="bill-1", workflow_id="invoice-abc", reason="same_supplier_and_number"
        ),
        DuplicateMatch(bill_id="bill-2", workflow_id=None, reason="same_document"),
    ]
    assessment = assess(
        make_extraction(),
        duplicates=duplicates,
        today=TODAY,
        settings=settings,
        text_method="pdf_text",
    )
    assert assessment.decision.route == "flag"
    assert assessment.duplicate_of == "invoice-abc"
    codes = [f.code for f in assessment.errors]
    assert codes == ["duplicate.same_supplier_and_number", "duplicate.same_document"]
    only_bill = assess(
        make_extraction(),
        duplicates=duplicates[1:],
        today=TODAY,
        settings=settings,
        text_method="pdf_text",
    )
    assert only_bill.duplicate_of == "bill-2"


def test_apply_corrections_replaces_fields_and_lines() -> None:
    corrected = apply_corrections(
        make_invoice(),
        {
            "invoice_number": "INV-1002",
            "due_date": "2025-04-15",
            "currency": " eur ",
            "line_items": [
                {
                    "description": "Toner",
                    "quantity": "2",
                    "unit_price_minor": 5_000,
                    "tax_rate": "20",
                    "line_total_minor": 10_000,
                }
            ],
        },
    )
    assert corrected.invoice_number == "INV-1002"
    assert corrected.due_date == dt.date(2025, 4, 15)
    assert corrected.currency == "EUR"
    assert corrected.line_items[0].description == "Toner"
    assert corrected.line_items[0].quantity == Decimal("2")
    assert corrected.total_minor == 12_000


@pytest.mark.parametrize(
    ("corrections", "message"),
    [
        ({"colour": "blue"}, "unknown invoice field"),
        ({"total_minor": 120.5}, "integer number of minor units"),
        ({"total_minor": 120.0}, "integer number of minor units"),
        ({"issue_date": "yesterday"}, "issue_date"),
        ({"line_items": "none"}, "line_items must be a list"),
        ({"line_items": [{"description": "x", "line_total_minor": 9.99}]}, "minor units"),
        ({"line_items": [{"quantity": "1"}]}, "description"),
    ],
)
def test_invalid_corrections_raise_clear_value_errors(
    corrections: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        apply_corrections(make_invoice(), corrections)


def test_corrected_extraction_marks_corrected_fields_certain(settings: Settings) -> None:
    extraction = make_extraction(make_invoice(supplier_name="Acme Offce Supplies"))
    assert (
        assess(
            extraction, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
        ).decision.route
        == "review"
    )
    corrected = corrected_extraction(extraction, {"supplier_name": "Acme Office Supplies Ltd"})
    assert corrected.invoice.supplier_name == "Acme Office Supplies Ltd"
    assert corrected.certainty_of("supplier_name") == 1.0
    assert corrected.certainty_of("invoice_number") == 0.95
    assert [e.field for e in corrected.evidence].count("supplier_name") == 1
    assert "supplier_name" in corrected.notes[-1]
    reassessed = assess(
        corrected, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
    )
    assert reassessed.decision.route == "auto_draft"
