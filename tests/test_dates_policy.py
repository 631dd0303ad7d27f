"""Implausible dates are errors (with the text as printed) and go to review."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.invoice.extraction import ExtractionProblem, FieldEvidence
from schemas.invoice.invoice import Invoice
from tests.policy_builders import TODAY, make_extraction, make_invoice
from vouchflow.invoice.rules.assess import assess, corrected_extraction
from vouchflow.invoice.rules.validation import validate_invoice
from vouchflow.settings.config import Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def errors_of(invoice: Invoice, settings: Settings, **kwargs: object) -> dict[str, str]:
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings, **kwargs)  # type: ignore[arg-type]
    return {f.code: f.message for f in findings if f.severity == "error"}


@pytest.mark.parametrize(
    "issue",
    [
        dt.date(1, 1, 1),
        dt.date(1899, 12, 31),
        TODAY + dt.timedelta(days=367),
        dt.date(9999, 12, 31),
    ],
)
def test_implausible_issue_date_is_an_error(settings: Settings, issue: dt.date) -> None:
    errors = errors_of(make_invoice(issue_date=issue, due_date=None), settings)
    assert "date.issue_implausible" in errors
    assert "date.issue_in_future" not in errors  # one finding, the stronger one


def test_plausible_edges_are_not_implausible(settings: Settings) -> None:
    old = make_invoice(issue_date=dt.date(1900, 1, 1), due_date=dt.date(1900, 2, 1))
    assert "date.issue_implausible" not in errors_of(old, settings)
    soon = make_invoice(issue_date=TODAY + dt.timedelta(days=366), due_date=None)
    errors = errors_of(soon, settings)
    assert "date.issue_implausible" not in errors and "date.issue_in_future" in errors


@pytest.mark.parametrize(
    ("issue", "due"),
    [
        (dt.date(2025, 3, 1), dt.date(9999, 12, 31)),
        (dt.date(2025, 3, 1), dt.date(2030, 3, 2)),
        (None, dt.date(9999, 1, 1)),
        (dt.date(2025, 3, 1), dt.date(1, 1, 1)),
        (dt.date(9999, 12, 1), dt.date(9999, 12, 31)),
    ],
)
def test_implausible_due_date_is_an_error(
    settings: Settings, issue: dt.date | None, due: dt.date
) -> None:
    errors = errors_of(make_invoice(issue_date=issue, due_date=due), settings)
    assert "date.due_implausible" in errors


def test_due_date_horizon_is_configurable_and_the_warning_tier_remains(
    settings: Settings,
) -> None:
    two_years = make_invoice(due_date=dt.date(2027, 3, 1))
    _, findings = validate_invoice(two_years, today=TODAY, settings=settings)
    assert {f.code: f.severity for f in findings} == {"date.due_too_far": "warning"}
    strict = settings.model_copy(
        update={
            "validation": settings.validation.model_copy(update={"max_due_years_after_issue": 1})
        }
    )
    assert "date.due_implausible" in errors_of(two_years, strict)


def test_leap_day_issue_date_horizon(settings: Settings) -> None:
    leap = make_invoice(issue_date=dt.date(2024, 2, 29), due_date=dt.date(2029, 2, 28))
    assert "date.due_implausible" not in errors_of(leap, settings)


def test_due_before_issue_is_an_error_with_the_printed_text(settings: Settings) -> None:
    evidence = [
        FieldEvidence(
            field="due_date", value="2025-02-01", source_text="Due: 01/02/2025", certainty=0.9
        )
    ]
    errors = errors_of(make_invoice(due_date=dt.date(2025, 2, 1)), settings, evidence=evidence)
    assert 'printed as "Due: 01/02/2025"' in errors["date.due_before_issue"]


def test_implausible_date_message_quotes_the_raw_text_and_goes_to_review(
    settings: Settings,
) -> None:
    invoice = make_invoice(issue_date=dt.date(1, 3, 1), due_date=None)
    extraction = make_extraction(invoice)
    extraction.evidence = [
        ev
        if ev.field != "issue_date"
        else FieldEvidence(
            field="issue_date", value="0001-03-01", source_text="Date: 01/03/0001", certainty=1.0
        )
        for ev in extraction.evidence
    ]
    assessment = assess(
        extraction, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
    )
    assert assessment.decision.route == "review"
    (finding,) = [f for f in assessment.findings if f.code == "date.issue_implausible"]
    assert finding.severity == "error" and finding.actual == "0001-03-01"
    assert 'printed as "Date: 01/03/0001"' in finding.message
    assert any("Date: 01/03/0001" in r for r in assessment.decision.reasons)


def test_reviewer_corrections_are_not_quoted_as_printed_text(settings: Settings) -> None:
    evidence = [
        FieldEvidence(
            field="issue_date",
            value="0001-01-01",
            source_text="reviewer correction",
            certainty=1.0,
        )
    ]
    errors = errors_of(make_invoice(issue_date=dt.date(1, 1, 1)), settings, evidence=evidence)
    assert "printed as" not in errors["date.issue_implausible"]


@pytest.mark.parametrize("severity", ["warning", "error"])
def test_date_problems_from_the_extractor_are_errors(settings: Settings, severity: str) -> None:
    problem = ExtractionProblem(
        code="date.impossible",
        field="issue_date",
        message="30 February does not exist",
        raw_text="30/02/2025",
        severity=severity,
    )
    assessment = assess(
        make_extraction(make_invoice(issue_date=None), problems=[problem]),
        duplicates=[],
        today=TODAY,
        settings=settings,
        text_method="pdf_text",
    )
    (finding,) = [f for f in assessment.findings if f.code == "date.impossible"]
    assert finding.severity == "error" and finding.actual == "30/02/2025"
    assert assessment.decision.route == "review"
    assert any("30 February does not exist" in r for r in assessment.decision.reasons)


def test_correcting_the_field_resolves_its_extraction_problem(settings: Settings) -> None:
    problems = [
        ExtractionProblem(
            code="date.impossible",
            field="issue_date",
            message="30 February does not exist",
            raw_text="30/02/2025",
        ),
        ExtractionProblem(code="text.truncated", message="text cut", severity="warning"),
    ]
    extraction = make_extraction(make_invoice(issue_date=None), problems=problems)
    corrected = corrected_extraction(extraction, {"issue_date": "2025-02-28"})
    assert [p.code for p in corrected.problems] == ["text.truncated"]
    assessment = assess(
        corrected, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
    )
    assert not assessment.errors
    assert assessment.decision.route == "review"  # the remaining warning still forces review
    untouched = corrected_extraction(extraction, {"invoice_number": "INV-1001"})
    assert [p.code for p in untouched.problems] == ["date.impossible", "text.truncated"]
