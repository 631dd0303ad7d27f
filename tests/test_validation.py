"""Validation rules: required fields, arithmetic in minor units, dates, tax rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from schemas.invoice.assessment import Finding
from schemas.invoice.invoice import Invoice, LineItem
from vouchflow.invoice.rules.validation import validate_invoice
from vouchflow.settings.config import Settings, load_settings

TODAY = dt.date(2025, 3, 10)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def make_invoice(**overrides: Any) -> Invoice:
    base: dict[str, Any] = {
        "supplier_name": "Acme Office Supplies Ltd",
        "invoice_number": "INV-1001",
        "issue_date": dt.date(2025, 3, 1),
        "due_date": dt.date(2025, 3, 31),
        "currency": "GBP",
        "subtotal_minor": 12_500,
        "tax_total_minor": 2_500,
        "total_minor": 15_000,
        "line_items": [
            LineItem(
                description="Paper A4",
                quantity=Decimal("10"),
                unit_price_minor=1_000,
                tax_rate=Decimal("20"),
                line_total_minor=10_000,
            ),
            LineItem(
                description="Pens",
                quantity=Decimal("2.5"),
                unit_price_minor=1_000,
                tax_rate=Decimal("20"),
                line_total_minor=2_500,
            ),
        ],
    }
    base.update(overrides)
    return Invoice(**base)


def codes(findings: list[Finding]) -> dict[str, str]:
    return {f.code: f.severity for f in findings}


def find(findings: list[Finding], code: str) -> Finding:
    matches = [f for f in findings if f.code == code]
    assert matches, f"{code} not in {[f.code for f in findings]}"
    return matches[0]


def test_clean_invoice_has_no_findings_and_keeps_totals(settings: Settings) -> None:
    invoice = make_invoice()
    checked, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert findings == []
    assert checked == invoice


@pytest.mark.parametrize(
    "field", ["supplier_name", "invoice_number", "issue_date", "currency", "total_minor"]
)
def test_missing_required_field_is_an_error(settings: Settings, field: str) -> None:
    _, findings = validate_invoice(make_invoice(**{field: None}), today=TODAY, settings=settings)
    finding = find(findings, f"required.{field}")
    assert finding.severity == "error"
    assert finding.field == field


def test_blank_supplier_name_counts_as_missing(settings: Settings) -> None:
    _, findings = validate_invoice(
        make_invoice(supplier_name="   "), today=TODAY, settings=settings
    )
    assert codes(findings)["required.supplier_name"] == "error"


def test_missing_due_date_and_lines_are_warnings(settings: Settings) -> None:
    invoice = make_invoice(due_date=None, line_items=[])
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert codes(findings) == {"required.due_date": "warning", "required.line_items": "warning"}


def test_unsupported_currency_is_an_error(settings: Settings) -> None:
    _, findings = validate_invoice(make_invoice(currency="XYZ"), today=TODAY, settings=settings)
    assert codes(findings)["currency.unsupported"] == "error"


def test_line_quantity_times_price_rounds_half_up(settings: Settings) -> None:
    # 2.5 x 333 = 832.5 -> 833 (half up), within tolerance of a printed 833.
    line = LineItem(
        description="x", quantity=Decimal("2.5"), unit_price_minor=333, line_total_minor=833
    )
    invoice = make_invoice(
        line_items=[line], subtotal_minor=833, tax_total_minor=0, total_minor=833
    )
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert not [f for f in findings if f.code.startswith("arithmetic.")]


def test_line_total_mismatch_beyond_tolerance(settings: Settings) -> None:
    line = LineItem(
        description="x", quantity=Decimal("3"), unit_price_minor=1_000, line_total_minor=2_900
    )
    invoice = make_invoice(
        line_items=[line], subtotal_minor=2_900, tax_total_minor=0, total_minor=2_900
    )
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    finding = find(findings, "arithmetic.line_total_mismatch")
    assert finding.severity == "error"
    assert (finding.expected, finding.actual) == ("3000", "2900")
    assert finding.field == "line_items[0].line_total_minor"


def test_missing_line_total_is_computed(settings: Settings) -> None:
    line = LineItem(description="x", quantity=Decimal("4"), unit_price_minor=250)
    invoice = make_invoice(
        line_items=[line], subtotal_minor=1_000, tax_total_minor=0, total_minor=1_000
    )
    checked, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert checked.line_items[0].line_total_minor == 1_000
    assert codes(findings) == {"arithmetic.line_total_filled": "info"}


def test_printed_subtotal_and_total_disagreeing_with_lines_are_recomputed(
    settings: Settings,
) -> None:
    invoice = make_invoice(subtotal_minor=13_000, total_minor=15_500)
    checked, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    subtotal = find(findings, "arithmetic.subtotal_recomputed")
    assert (subtotal.severity, subtotal.expected, subtotal.actual) == ("error", "12500", "13000")
    # Subtotal from the lines (12,500) + printed tax (2,500) = 15,000, not the printed 15,500.
    total = find(findings, "arithmetic.total_recomputed")
    assert (total.severity, total.expected, total.actual) == ("error", "15000", "15500")
    assert (checked.subtotal_minor, checked.total_minor) == (12_500, 15_000)


def test_printed_total_alone_wrong_is_recomputed(settings: Settings) -> None:
    checked, findings = validate_invoice(
        make_invoice(total_minor=16_000), today=TODAY, settings=settings
    )
    assert codes(findings) == {"arithmetic.total_recomputed": "error"}
    assert checked.total_minor == 15_000


def test_subtotal_within_one_unit_per_line_is_kept(settings: Settings) -> None:
    invoice = make_invoice(subtotal_minor=12_502, total_minor=15_002)
    checked, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert not [f for f in findings if f.code.startswith("arithmetic.")]
    assert checked.subtotal_minor == 12_502


def test_total_off_by_one_is_accepted(settings: Settings) -> None:
    _, findings = validate_invoice(make_invoice(total_minor=15_001), today=TODAY, settings=settings)
    assert findings == []


def test_missing_subtotal_is_filled_from_lines(settings: Settings) -> None:
    checked, findings = validate_invoice(
        make_invoice(subtotal_minor=None), today=TODAY, settings=settings
    )
    assert checked.subtotal_minor == 12_500
    assert codes(findings) == {"arithmetic.subtotal_filled": "warning"}


def test_without_lines_only_header_sum_is_checked_and_not_changed(settings: Settings) -> None:
    invoice = make_invoice(
        line_items=[], subtotal_minor=10_000, tax_total_minor=2_000, total_minor=12_500
    )
    checked, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    finding = find(findings, "arithmetic.total_mismatch")
    assert (finding.severity, finding.expected, finding.actual) == ("error", "12000", "12500")
    assert checked.total_minor == 12_500


def test_lines_without_totals_fall_back_to_header_check(settings: Settings) -> None:
    line = LineItem(description="service", unit_price_minor=411)
    invoice = make_invoice(
        line_items=[line], subtotal_minor=411, tax_total_minor=0, total_minor=411
    )
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert codes(findings) == {"arithmetic.lines_incomplete": "warning"}


def test_allowances_and_charges_adjust_the_net(settings: Settings) -> None:
    # Factur-X EN16931 sample: lines 95.00, allowances 9.00, charges 14.00 -> net 100.00.
    lines = [
        LineItem(
            description="PRESTATION SUPPORT",
            quantity=Decimal("1.0000"),
            unit_price_minor=6000,
            tax_rate=Decimal("0.00"),
            line_total_minor=6000,
        ),
        LineItem(
            description="FOURNITURES PAPIER",
            quantity=Decimal("3.0000"),
            unit_price_minor=None,
            tax_rate=Decimal("10.00"),
            line_total_minor=2800,
        ),
        LineItem(
            description="APPEL",
            quantity=Decimal("1.0000"),
            unit_price_minor=700,
            tax_rate=Decimal("20.00"),
            line_total_minor=700,
        ),
    ]
    invoice = make_invoice(
        currency="EUR",
        line_items=lines,
        subtotal_minor=10_000,
        tax_total_minor=490,
        total_minor=10_490,
        allowance_total_minor=900,
        charge_total_minor=1_400,
    )
    checked, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert findings == []
    assert checked.total_minor == 10_490


def test_tax_inclusive_lines_are_recognised(settings: Settings) -> None:
    # Lines add up to the gross total (prices include 21% VAT).
    lines = [
        LineItem(
            description="Onderhoudsset",
            quantity=Decimal("1.0"),
            unit_price_minor=4999,
            tax_rate=Decimal("21.0"),
            line_total_minor=4999,
        ),
        LineItem(
            description="Korting",
            quantity=Decimal("1.0"),
            unit_price_minor=0,
            tax_rate=Decimal("21.0"),
            line_total_minor=0,
        ),
    ]
    invoice = make_invoice(
        currency="EUR", line_items=lines, subtotal_minor=4131, tax_total_minor=868, total_minor=4999
    )
    checked, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert codes(findings) == {"arithmetic.amounts_look_tax_inclusive": "warning"}
    assert checked.amounts_tax_inclusive is True
    assert checked.total_minor == 4999


def test_tax_recomputed_per_rate_mismatch_is_a_warning(settings: Settings) -> None:
    invoice = make_invoice(tax_total_minor=2_000, total_minor=14_500)
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    finding = find(findings, "tax.total_mismatch")
    assert (finding.severity, finding.expected, finding.actual) == ("warning", "2500", "2000")


def test_missing_tax_is_derived_from_total(settings: Settings) -> None:
    checked, findings = validate_invoice(
        make_invoice(tax_total_minor=None), today=TODAY, settings=settings
    )
    assert checked.tax_total_minor == 2_500
    assert codes(findings) == {"arithmetic.tax_total_derived": "warning"}


def test_due_before_issue_is_an_error(settings: Settings) -> None:
    _, findings = validate_invoice(
        make_invoice(due_date=dt.date(2025, 2, 1)), today=TODAY, settings=settings
    )
    assert codes(findings) == {"date.due_before_issue": "error"}


def test_issue_date_future_slack(settings: Settings) -> None:
    slack = settings.validation.future_issue_date_slack_days
    at_limit = make_invoice(
        issue_date=TODAY + dt.timedelta(days=slack),
        due_date=TODAY + dt.timedelta(days=slack + 30),
    )
    _, findings = validate_invoice(at_limit, today=TODAY, settings=settings)
    assert findings == []
    beyond = make_invoice(
        issue_date=TODAY + dt.timedelta(days=slack + 1),
        due_date=TODAY + dt.timedelta(days=slack + 30),
    )
    _, findings = validate_invoice(beyond, today=TODAY, settings=settings)
    assert codes(findings) == {"date.issue_in_future": "error"}


def test_due_date_far_after_issue_is_a_warning(settings: Settings) -> None:
    far = dt.date(2025, 3, 1) + dt.timedelta(days=settings.validation.max_due_days_after_issue + 1)
    _, findings = validate_invoice(make_invoice(due_date=far), today=TODAY, settings=settings)
    assert codes(findings) == {"date.due_too_far": "warning"}


def test_tax_rate_not_allowed(settings: Settings) -> None:
    line = LineItem(
        description="x",
        quantity=Decimal("1"),
        unit_price_minor=10_000,
        tax_rate=Decimal("17.5"),
        line_total_minor=10_000,
    )
    invoice = make_invoice(
        line_items=[line], subtotal_minor=10_000, tax_total_minor=1_750, total_minor=11_750
    )
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    finding = find(findings, "tax.rate_not_allowed")
    assert (finding.severity, finding.field) == ("error", "line_items[0].tax_rate")


def test_rate_written_with_decimals_matches_configured_rate(settings: Settings) -> None:
    lines = [
        LineItem(
            description="x",
            quantity=Decimal("1"),
            unit_price_minor=10_000,
            tax_rate=Decimal("20.00"),
            line_total_minor=10_000,
        ),
    ]
    invoice = make_invoice(
        line_items=lines, subtotal_minor=10_000, tax_total_minor=2_000, total_minor=12_000
    )
    _, findings = validate_invoice(invoice, today=TODAY, settings=settings)
    assert findings == []


def test_currency_without_configured_rates_is_a_warning(settings: Settings) -> None:
    _, findings = validate_invoice(make_invoice(currency="SEK"), today=TODAY, settings=settings)
    assert codes(findings) == {"tax.rates_not_configured": "warning"}
