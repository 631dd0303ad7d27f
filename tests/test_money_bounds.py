"""Money bounds: schema limits, the configured sanity cap, computed amounts that would
not fit, corrections refused with one clear line, and extraction problems as findings."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.common.money import MINOR_MAX, MINOR_MIN
from schemas.invoice.extraction import ExtractionProblem
from schemas.invoice.invoice import Invoice, LineItem
from tests.policy_builders import TODAY, make_extraction, make_invoice
from vouchflow.invoice.rules.assess import (
    apply_corrections,
    assess,
    corrected_extraction,
    problem_findings,
)
from vouchflow.invoice.rules.validation import validate_invoice
from vouchflow.settings.config import Settings, load_settings

AMOUNT_FIELDS = ["subtotal_minor", "tax_total_minor", "total_minor"]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def small_cap(settings: Settings, cap: int) -> Settings:
    validation = settings.validation.model_copy(update={"max_amount_minor": cap})
    return settings.model_copy(update={"validation": validation})


@pytest.mark.parametrize("field", [*AMOUNT_FIELDS, "allowance_total_minor", "charge_total_minor"])
@pytest.mark.parametrize("value", [MINOR_MAX + 1, MINOR_MIN - 1, 10**30, -(10**30)])
def test_schema_refuses_amounts_outside_64_bits(field: str, value: int) -> None:
    with pytest.raises(ValidationError):
        Invoice(**{field: value})
    with pytest.raises(ValidationError):
        LineItem(description="x", line_total_minor=value)
    with pytest.raises(ValidationError):
        LineItem(description="x", unit_price_minor=value)


def test_schema_accepts_the_64_bit_edges_and_signs() -> None:
    assert Invoice(total_minor=MINOR_MAX).total_minor == MINOR_MAX
    assert Invoice(total_minor=MINOR_MIN).total_minor == MINOR_MIN
    assert Invoice(total_minor=-5).total_minor == -5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "1E+13"),
        ("quantity", "-1E+13"),
        ("quantity", "NaN"),
        ("quantity", "Infinity"),
        ("quantity", "1E-999999"),
        ("quantity", "1E+999999"),
        ("quantity", "1" * 40),
        ("tax_rate", "1001"),
        ("tax_rate", "-1E+5"),
        ("tax_rate", "sNaN"),
        ("tax_rate", "0." + "1" * 20),
    ],
)
def test_quantities_and_tax_rates_are_bounded(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        LineItem(description="x", **{field: value})


def test_sane_quantities_and_rates_pass_unchanged() -> None:
    line = LineItem(description="x", quantity="-2.5", tax_rate="20", unit_price_minor=100)
    assert line.quantity == Decimal("-2.5") and line.tax_rate == Decimal("20")
    assert line.model_dump(mode="json")["quantity"] == "-2.5"


@pytest.mark.parametrize("field", AMOUNT_FIELDS)
def test_amount_above_the_cap_is_an_error_naming_field_and_value(
    settings: Settings, field: str
) -> None:
    capped = small_cap(settings, 1_000_000)
    over = make_invoice(
        **{"subtotal_minor": None, "tax_total_minor": None, "total_minor": None, "line_items": []}
        | {field: -1_000_001}
    )
    _, findings = validate_invoice(over, today=TODAY, settings=capped)
    (finding,) = [f for f in findings if f.code == "amount.out_of_range"]
    assert finding.severity == "error" and finding.field == field
    assert finding.actual == "-1000001" and field in finding.message
    at_cap = over.model_copy(update={field: 1_000_000})
    _, findings = validate_invoice(at_cap, today=TODAY, settings=capped)
    assert not [f for f in findings if f.code == "amount.out_of_range"]


def test_default_cap_is_documented_and_within_64_bits(settings: Settings) -> None:
    assert 0 < settings.validation.max_amount_minor <= MINOR_MAX
    _, findings = validate_invoice(
        make_invoice(total_minor=MINOR_MAX, subtotal_minor=None, tax_total_minor=None),
        today=TODAY,
        settings=settings,
    )
    assert "amount.out_of_range" in {f.code for f in findings}


def test_line_amounts_above_the_cap_are_errors(settings: Settings) -> None:
    line = LineItem(description="x", unit_price_minor=MINOR_MAX, line_total_minor=MINOR_MAX)
    _, findings = validate_invoice(make_invoice(line_items=[line]), today=TODAY, settings=settings)
    fields = {f.field for f in findings if f.code == "amount.out_of_range"}
    assert {"line_items[0].unit_price_minor", "line_items[0].line_total_minor"} <= fields


def test_computed_amounts_that_would_not_fit_are_reported_not_stored(settings: Settings) -> None:
    # quantity x price beyond 64 bits: never filled in as a line total.
    huge = LineItem(description="x", quantity=Decimal(10**12), unit_price_minor=MINOR_MAX)
    checked, findings = validate_invoice(
        make_invoice(line_items=[huge]), today=TODAY, settings=settings
    )
    assert checked.line_items[0].line_total_minor is None
    assert any(
        f.code == "amount.out_of_range" and f.field == "line_items[0].line_total_minor"
        for f in findings
    )
    # Lines each within 64 bits whose sum is not: the totals are not replaced by the sum.
    big = LineItem(description="x", line_total_minor=MINOR_MAX)
    checked, findings = validate_invoice(
        make_invoice(line_items=[big, big, big]), today=TODAY, settings=settings
    )
    assert checked.total_minor == 12_000 and checked.subtotal_minor == 10_000
    assert any(f.code == "amount.out_of_range" and f.field == "line_items" for f in findings)
    # Header subtraction (tax = total - subtotal) that would overflow.
    checked, findings = validate_invoice(
        make_invoice(
            line_items=[LineItem(description="x", line_total_minor=MINOR_MIN)],
            subtotal_minor=MINOR_MIN,
            tax_total_minor=None,
            total_minor=MINOR_MAX,
        ),
        today=TODAY,
        settings=settings,
    )
    assert checked.tax_total_minor is None
    for amount in (checked.subtotal_minor, checked.tax_total_minor, checked.total_minor):
        assert amount is None or MINOR_MIN <= amount <= MINOR_MAX
    # Whatever validation returns is a valid invoice again.
    Invoice.model_validate(checked.model_dump())


def test_out_of_range_amount_goes_to_review_not_auto_draft(settings: Settings) -> None:
    capped = small_cap(settings, 10_000)
    assessment = assess(
        make_extraction(make_invoice()),
        duplicates=[],
        today=TODAY,
        settings=capped,
        text_method="pdf_text",
    )
    assert assessment.decision.route == "review"
    assert any("outside the accepted range" in r for r in assessment.decision.reasons)


@pytest.mark.parametrize(
    ("corrections", "expected"),
    [
        ({"total_minor": 120.0}, "total_minor must be an integer number of minor units"),
        ({"total_minor": 1e300}, "total_minor must be an integer number of minor units"),
        ({"total_minor": True}, "total_minor must be an integer number of minor units"),
        ({"total_minor": "12.50"}, "total_minor must be an integer number of minor units"),
        ({"total_minor": "12 000"}, "total_minor must be an integer number of minor units"),
        ({"total_minor": "\uff11\uff12"}, "total_minor must be an integer number of minor units"),
        ({"total_minor": [1]}, "got a list"),
        ({"total_minor": {"a": 1}}, "got a dict"),
        ({"total_minor": MINOR_MAX + 1}, "total_minor = 9223372036854775808 is out of range"),
        ({"total_minor": -(10**5000)}, "about 5000 digits is out of range"),
        ({"total_minor": "9" * 100_000}, "total_minor is out of range"),
        ({"subtotal_minor": "-" + "9" * 30}, "subtotal_minor is out of range"),
        ({"allowance_total_minor": None}, "allowance_total_minor must be an integer"),
        (
            {"line_items": [{"description": "x", "line_total_minor": 10**40}]},
            "line_items[0].line_total_minor",
        ),
        (
            {"line_items": [{"description": "x", "quantity": "1E+400"}]},
            "quantity",
        ),
        ({"document_type": "refund"}, "document_type must be one of invoice, credit_note"),
        ({"document_type": None}, "document_type must be one of"),
        ({"x" * 10_000: 1}, "unknown invoice field"),
        ({"supplier_name": "A" * 5_000}, "supplier_name is too long (5000 characters"),
        (
            {"line_items": [{"description": "d" * 4_001}]},
            "line_items[0].description is too long",
        ),
    ],
)
def test_bad_corrections_are_one_clear_line(corrections: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValueError) as refused:
        apply_corrections(make_invoice(), corrections)
    message = str(refused.value)
    assert expected in message
    assert "\n" not in message and len(message) < 800
    for internal in ("Traceback", "InvalidOperation", "<class", " object at 0x", "decimal."):
        assert internal not in message


def test_corrections_respect_the_configured_cap() -> None:
    with pytest.raises(ValueError, match="total_minor = 1000001 is out of range"):
        apply_corrections(make_invoice(), {"total_minor": 1_000_001}, max_amount_minor=1_000_000)
    fixed = apply_corrections(
        make_invoice(), {"total_minor": "1000000"}, max_amount_minor=1_000_000
    )
    assert fixed.total_minor == 1_000_000


def test_every_extraction_problem_becomes_a_finding_with_its_raw_text() -> None:
    problems = [
        ExtractionProblem(
            code="amount.out_of_range",
            field="total_minor",
            message="total 99999999999999999999999 does not fit",
            raw_text="Total: £99,999,999,999,999,999,999,999.00",
            severity="warning",
        ),
        ExtractionProblem(
            code="text.truncated", message="text cut at 400000 characters", severity="warning"
        ),
        ExtractionProblem(
            code="einvoice.page_disagrees",
            field="currency",
            message="the XML says EUR, the page says GBP",
            raw_text="EUR" + " " * 50 + "x" * 5000,
        ),
    ]
    findings = problem_findings(problems)
    assert [f.code for f in findings] == [p.code for p in problems]
    assert [f.field for f in findings] == ["total_minor", None, "currency"]
    # Amount and date problems are errors whatever the extractor called them.
    assert [f.severity for f in findings] == ["error", "warning", "error"]
    assert findings[0].actual == "Total: £99,999,999,999,999,999,999,999.00"
    assert "printed as" in findings[0].message
    assert findings[2].actual is not None and len(findings[2].actual) <= 200


@pytest.mark.parametrize("severity", ["warning", "error"])
def test_any_extraction_problem_forces_review_with_its_message(
    settings: Settings, severity: str
) -> None:
    problem = ExtractionProblem(
        code="extraction.fallback",
        message="the structured read failed; fields read from the text instead",
        severity=severity,
    )
    assessment = assess(
        make_extraction(make_invoice(), problems=[problem]),
        duplicates=[],
        today=TODAY,
        settings=settings,
        text_method="pdf_text",
    )
    assert assessment.decision.route == "review"
    assert any(problem.message in reason for reason in assessment.decision.reasons)
    (finding,) = [f for f in assessment.findings if f.code == "extraction.fallback"]
    assert finding.severity == severity


def test_clean_invoice_still_auto_drafts(settings: Settings) -> None:
    assessment = assess(
        make_extraction(make_invoice()),
        duplicates=[],
        today=TODAY,
        settings=settings,
        text_method="pdf_text",
    )
    assert assessment.decision.route == "auto_draft"
    assert dt.date(2025, 3, 1) == assessment.invoice.issue_date


def test_random_corrections_either_apply_or_refuse_with_one_clear_line(
    settings: Settings,
) -> None:
    """Whatever a person (or a script) sends, assessment never fails with internals."""
    rng = random.Random(8)
    values: list[Any] = [
        None,
        True,
        0,
        -1,
        1.5,
        float("nan"),
        float("inf"),
        MINOR_MAX,
        MINOR_MIN,
        MINOR_MAX + 1,
        -(10**400),
        "",
        "12",
        "-0",
        "1e5",
        "NaN",
        "0001-01-01",
        "9999-12-31",
        "2025-02-30",
        "credit_note",
        "invoice",
        "\u200b",
        "x" * 2_000,
        [],
        {},
        [{"description": "d", "quantity": "1E+400"}],
        [{"description": "d", "quantity": "3", "unit_price_minor": MINOR_MAX}],
        [{"description": "d", "line_total_minor": -(2**62)}, {"description": "e"}],
        [{"description": "d", "tax_rate": "-0.0000001"}],
    ]
    fields = [*Invoice.model_fields, "nonsense"]
    extraction = make_extraction(make_invoice())
    outcomes = {"applied": 0, "refused": 0}
    for _ in range(600):
        corrections = {rng.choice(fields): rng.choice(values) for _ in range(rng.randint(1, 4))}
        try:
            corrected = corrected_extraction(extraction, corrections)
            assessment = assess(
                corrected, duplicates=[], today=TODAY, settings=settings, text_method="pdf_text"
            )
        except ValueError as err:
            message = str(err)
            assert "\n" not in message and len(message) < 800, corrections
            assert "Traceback" not in message and "<class" not in message, corrections
            outcomes["refused"] += 1
            continue
        outcomes["applied"] += 1
        Invoice.model_validate(assessment.invoice.model_dump())
        assert assessment.decision.route in {"auto_draft", "review", "flag", "reject_input"}
    assert outcomes["applied"] > 20 and outcomes["refused"] > 20, outcomes


def test_random_extreme_invoices_validate_without_errors_escaping(settings: Settings) -> None:
    """Any schema-valid invoice, however extreme, yields findings and a valid invoice."""
    rng = random.Random(64)
    amounts = [None, 0, 1, -1, MINOR_MAX, MINOR_MIN, 10**15, -(10**15), 2**62, 99]
    quantities = [None, Decimal(0), Decimal("1E+12"), Decimal("-1E+12"), Decimal("0.000000000001")]
    rates = [None, Decimal(0), Decimal(20), Decimal(1000), Decimal("-1000"), Decimal("99.999999")]
    for _ in range(400):
        lines = [
            LineItem(
                description="x",
                quantity=rng.choice(quantities),
                unit_price_minor=rng.choice(amounts),
                tax_rate=rng.choice(rates),
                line_total_minor=rng.choice(amounts),
            )
            for _ in range(rng.randint(0, 4))
        ]
        invoice = make_invoice(
            subtotal_minor=rng.choice(amounts),
            tax_total_minor=rng.choice(amounts),
            total_minor=rng.choice(amounts),
            allowance_total_minor=rng.choice([0, MINOR_MAX, MINOR_MIN]),
            charge_total_minor=rng.choice([0, MINOR_MAX]),
            amounts_tax_inclusive=rng.choice([True, False]),
            document_type=rng.choice(["invoice", "credit_note"]),
            line_items=lines,
        )
        assessment = assess(
            make_extraction(invoice),
            duplicates=[],
            today=TODAY,
            settings=settings,
            text_method="pdf_text",
        )
        Invoice.model_validate(assessment.invoice.model_dump())
        if assessment.decision.route == "auto_draft":
            total = assessment.invoice.total_minor
            assert total is not None and 0 < total <= settings.validation.max_amount_minor
            assert assessment.invoice.document_type == "invoice"
