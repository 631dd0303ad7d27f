"""What cannot be trusted is reported, never crashed on and never replaced: out-of-range
amounts, signs and credit notes, impossible and implausible dates, on every path
(text rules, CII, UBL, model output)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from schemas.common.money import MINOR_MAX
from schemas.invoice.extraction import ExtractionProblem, ExtractionResult
from schemas.invoice.invoice import Invoice
from tests.fixtures.einvoices import cii_xml, ubl_xml
from vouchflow.documents.einvoice import CREDIT_NOTE_TYPE_CODES, parse_einvoice
from vouchflow.invoice.extraction.numbers import money_amounts, parse_amount
from vouchflow.invoice.extraction.problems import MAX_QUANTITY, decimal_to_minor
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.llm.output import parse_output

HUGE = "123456789012345678901234567890.00"  # 30 digits before the point
HUGE_INT = 10**30


def _codes(problems: list[ExtractionProblem]) -> set[tuple[str, str | None]]:
    return {(p.code, p.field) for p in problems}


def _survives(result: ExtractionResult) -> None:
    """Whatever was read is a valid invoice that every sink can serialise."""
    Invoice.model_validate(result.invoice.model_dump())
    json.dumps(result.model_dump(mode="json"))


def _text(total: str, *, title: str = "INVOICE", extra: tuple[str, ...] = ()) -> str:
    return "\n".join(
        (
            "Acme Widgets Ltd",
            title,
            "Invoice number: INV-7781",
            "Invoice date: 12/03/2024",
            *extra,
            "Widget    2    £10.00    £20.00",
            f"Total: {total}",
        )
    )


# --- 1. amounts outside a signed 64-bit integer -------------------------------------------


@pytest.mark.parametrize("printed", [f"£{HUGE}", f"£{'9' * 19}.00", f"-£{HUGE}", "£" + "9" * 60])
def test_text_total_beyond_64_bits_is_left_empty_and_reported(printed: str) -> None:
    result = extract_with_rules(_text(printed))

    assert result.invoice.total_minor is None
    found = [p for p in result.problems if p.code == "amount.out_of_range"]
    assert [p.field for p in found] == ["total_minor"]
    assert found[0].severity == "error"
    assert found[0].raw_text is not None and printed.lstrip("-£")[:12] in found[0].raw_text
    _survives(result)


def test_largest_representable_amount_is_kept() -> None:
    assert decimal_to_minor(Decimal(MINOR_MAX).scaleb(-2), "EUR") == MINOR_MAX
    assert decimal_to_minor(Decimal(MINOR_MAX + 1).scaleb(-2), "EUR") is None
    assert decimal_to_minor(Decimal("1E+400"), "EUR") is None
    assert decimal_to_minor(Decimal("-1E+400"), "JPY") is None


@pytest.mark.parametrize("build", [cii_xml, ubl_xml])
def test_xml_totals_beyond_64_bits_are_left_empty_and_reported(build: object) -> None:
    assert callable(build)
    xml = build(total=HUGE, tax="1" + "0" * 25, subtotal="1E+400", line_total=HUGE)
    result = parse_einvoice(xml)

    inv = result.invoice
    assert inv.total_minor is None and inv.tax_total_minor is None and inv.subtotal_minor is None
    assert inv.line_items[0].line_total_minor is None
    assert inv.line_items[0].unit_price_minor is None
    codes = _codes(result.problems)
    for field in ("total_minor", "tax_total_minor", "subtotal_minor"):
        assert ("amount.out_of_range", field) in codes
    assert ("amount.out_of_range", "line_items[0].line_total_minor") in codes
    total_problem = next(p for p in result.problems if p.field == "total_minor")
    assert total_problem.raw_text == HUGE
    # Nothing out of range is left for evidence to carry either.
    assert all(ev.field != "total_minor" for ev in result.evidence)
    _survives(result)


@pytest.mark.parametrize("build", [cii_xml, ubl_xml])
def test_absurd_quantities_and_rates_are_reported(build: object) -> None:
    assert callable(build)
    result = parse_einvoice(build(quantity="1" + "0" * 40, rate="250", total="10.00"))

    line = result.invoice.line_items[0]
    assert line.quantity is None and line.tax_rate is None
    codes = _codes(result.problems)
    assert ("quantity.out_of_range", "line_items[0].quantity") in codes
    assert ("tax_rate.out_of_range", "line_items[0].tax_rate") in codes
    assert result.invoice.total_minor == 1000


def test_model_output_beyond_64_bits_is_left_empty_and_reported() -> None:
    parsed, errors = parse_output(
        json.dumps(
            {
                "invoice_likelihood": 0.9,
                "supplier_name": "Acme",
                "invoice_number": "A-1",
                "issue_date": "2024-03-12",
                "due_date": None,
                "currency": "EUR",
                "subtotal_minor": 100,
                "tax_total_minor": -HUGE_INT,
                "total_minor": HUGE_INT,
                "amounts_tax_inclusive": False,
                "supplier_vat_id": None,
                "buyer_name": None,
                "line_items": [
                    {
                        "description": "x",
                        "quantity": str(MAX_QUANTITY * 10),
                        "unit_price_minor": HUGE_INT,
                        "tax_rate": "-5",
                        "line_total_minor": 100,
                    }
                ],
                "evidence": [],
            }
        )
    )

    assert errors == [] and parsed is not None
    assert parsed.invoice.total_minor is None and parsed.invoice.tax_total_minor is None
    assert parsed.invoice.subtotal_minor == 100
    line = parsed.invoice.line_items[0]
    assert line.unit_price_minor is None and line.quantity is None and line.tax_rate is None
    assert {
        ("amount.out_of_range", "total_minor"),
        ("amount.out_of_range", "tax_total_minor"),
        ("amount.out_of_range", "line_items[0].unit_price_minor"),
        ("quantity.out_of_range", "line_items[0].quantity"),
        ("tax_rate.out_of_range", "line_items[0].tax_rate"),
    } <= _codes(parsed.problems)
    assert next(p for p in parsed.problems if p.field == "total_minor").raw_text == str(HUGE_INT)


# --- 2. signs and credit notes --------------------------------------------------------------


@pytest.mark.parametrize(
    "printed",
    [
        "-£12.00",
        "£-12.00",
        "(12.00)",
        "(£12.00)",
        "12.00-",
        "\u221212.00",
        "\u2212£12.00",
        "- 12.00",
    ],
)
def test_negative_amounts_keep_their_sign(printed: str) -> None:
    assert [a.value for a in money_amounts(f"Total {printed}")] == [Decimal("-12.00")]
    assert parse_amount(printed) == Decimal("-12.00")


def test_ranges_and_positive_amounts_are_not_made_negative() -> None:
    assert [a.value for a in money_amounts("Band 10.00-20.00 EUR")] == [
        Decimal("10.00"),
        Decimal("20.00"),
    ]
    assert [a.value for a in money_amounts("Total £12.00")] == [Decimal("12.00")]


@pytest.mark.parametrize("printed", ["-£12.00", "£-12.00", "(£12.00)", "£12.00-", "\u2212£12.00"])
def test_negative_total_on_an_invoice_stays_negative(printed: str) -> None:
    result = extract_with_rules(_text(printed))
    assert result.invoice.document_type == "invoice"
    assert result.invoice.total_minor == -1200


@pytest.mark.parametrize("printed", ["-£12.00", "(£12.00)", "12.00-", "\u2212£12.00", "£-12.00"])
def test_negative_total_printed_under_its_label_keeps_its_sign(printed: str) -> None:
    result = extract_with_rules(f"Acme Ltd\nInvoice number: A-1\nTotal:\n{printed}\n")
    assert result.invoice.total_minor == -1200


@pytest.mark.parametrize(
    "title",
    [
        "CREDIT NOTE",
        "Credit note No. CN-2024-7",
        "Gutschrift",
        "Gutschrift Nr. 4711",
        "AVOIR",
        "Avoir n° 45",
        "Nota de crédito",
        "Nota di credito n. 12",
        "Creditnota",
        "Credit Memo",
        "Credit note CN-001 Date: 12/03/2024",
        "Facture d'avoir",
    ],
)
def test_text_titled_as_a_credit_note_is_one_with_positive_amounts(title: str) -> None:
    result = extract_with_rules(_text("-£20.00", title=title))

    assert result.invoice.document_type == "credit_note"
    # One convention everywhere: a credit note carries the credited amount as positive.
    assert result.invoice.total_minor == 2000
    assert any("negative" in note for note in result.notes)


def test_credit_note_stated_positive_stays_positive() -> None:
    result = extract_with_rules(_text("£20.00", title="Credit note"))
    assert result.invoice.document_type == "credit_note"
    assert result.invoice.total_minor == 2000


@pytest.mark.parametrize(
    "line",
    [
        "Gutschrift aus Rechnung 123 verrechnet",
        "Credit notes are issued within 30 days of a return.",
        "avoir un impact sur le délai",
        "Gutschrift: -£5.00",
        "Credit note: none",
        "Credit note CN-12 applied to this invoice",
    ],
)
def test_credit_words_in_running_text_do_not_make_a_credit_note(line: str) -> None:
    result = extract_with_rules(_text("£20.00", extra=(line,)))
    assert result.invoice.document_type == "invoice"
    assert result.invoice.total_minor == 2000


@pytest.mark.parametrize("code", sorted(CREDIT_NOTE_TYPE_CODES))
@pytest.mark.parametrize("build", [cii_xml, ubl_xml])
def test_credit_note_type_codes_make_a_credit_note(code: str, build: object) -> None:
    assert callable(build)
    result = parse_einvoice(build(type_code=code))
    assert result.invoice.document_type == "credit_note"
    assert result.invoice.total_minor == 12000


@pytest.mark.parametrize("code", ["380", "384", "389", "875", "877", "393"])
def test_invoice_type_codes_stay_invoices(code: str) -> None:
    assert parse_einvoice(cii_xml(type_code=code)).invoice.document_type == "invoice"
    assert parse_einvoice(ubl_xml(type_code=code)).invoice.document_type == "invoice"


def test_ubl_credit_note_root_is_a_credit_note_with_positive_amounts() -> None:
    result = parse_einvoice(ubl_xml(root="CreditNote", type_code="381", line_total="50.00"))
    inv = result.invoice
    assert inv.document_type == "credit_note"
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (5000, 1000, 6000)
    assert inv.line_items[0].line_total_minor == 5000


@pytest.mark.parametrize("build", [cii_xml, ubl_xml])
def test_negative_xml_credit_note_is_kept_as_stated_and_reported(build: object) -> None:
    # In CII/UBL a credit note credits positive amounts; a negative one charges.
    assert callable(build)
    result = parse_einvoice(build(type_code="381", line_total="-50.00"))
    inv = result.invoice
    assert inv.document_type == "credit_note"
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (-5000, -1000, -6000)
    assert inv.line_items[0].line_total_minor == -5000
    found = [p for p in result.problems if p.code == "credit_note.negative_total"]
    assert len(found) == 1 and found[0].raw_text == "-6000"


@pytest.mark.parametrize("build", [cii_xml, ubl_xml])
@pytest.mark.parametrize("printed", ["1,000.00", "NaN", "12 EUR", "Infinity", "--5"])
def test_unreadable_xml_amount_is_reported(build: object, printed: str) -> None:
    assert callable(build)
    result = parse_einvoice(build(total=printed))
    assert result.invoice.total_minor is None
    found = [p for p in result.problems if p.field == "total_minor"]
    assert [(p.code, p.raw_text) for p in found] == [("amount.unreadable", printed)]


def test_negative_xml_invoice_stays_negative() -> None:
    inv = parse_einvoice(cii_xml(type_code="380", line_total="-50.00")).invoice
    assert inv.document_type == "invoice"
    assert inv.total_minor == -6000


# --- 6. dates -------------------------------------------------------------------------------


def _dated(issue: str, due: str = "Due date: 30/04/2024") -> str:
    return "\n".join(
        (
            "Acme Widgets Ltd",
            "INVOICE",
            "Invoice number: INV-7781",
            f"Invoice date: {issue}",
            due,
            "Delivery date: 01/03/2024",
            "Total: £20.00",
        )
    )


@pytest.mark.parametrize(
    ("printed", "kind"),
    [
        ("30/02/2024", "impossible"),
        ("31.04.2024", "impossible"),
        ("13/13/2024", "impossible"),
        ("30 February 2024", "impossible"),
        ("February 30, 2024", "impossible"),
        ("2024-02-30", "impossible"),
        ("0001-01-01", "implausible"),
        ("01.01.0001", "implausible"),
        ("12/03/1850", "implausible"),
        ("12/03/2999", "implausible"),
    ],
)
def test_unusable_issue_date_is_reported_and_never_replaced(printed: str, kind: str) -> None:
    result = extract_with_rules(_dated(printed))

    assert result.invoice.issue_date is None  # not 2001, not the delivery date, not 28 Feb
    found = [p for p in result.problems if p.field == "issue_date"]
    assert [p.code for p in found] == [f"date.{kind}"]
    assert found[0].raw_text == printed
    assert found[0].severity == "error"


def test_due_date_in_9999_is_an_error_not_a_guess() -> None:
    result = extract_with_rules(_dated("12/03/2024", due="Due date: 31/12/9999"))
    assert result.invoice.issue_date == dt.date(2024, 3, 12)
    assert result.invoice.due_date is None
    assert ("date.implausible", "due_date") in _codes(result.problems)


def test_two_digit_years_are_still_expanded() -> None:
    result = extract_with_rules(_dated("12.03.24"))
    assert result.invoice.issue_date == dt.date(2024, 3, 12)
    assert not result.problems


@pytest.mark.parametrize(
    ("build", "issue", "kind"),
    [
        (cii_xml, "20240230", "impossible"),
        (cii_xml, "20241301", "impossible"),
        (cii_xml, "00010101", "implausible"),
        (cii_xml, "99991231", "implausible"),
        (ubl_xml, "2024-02-30", "impossible"),
        (ubl_xml, "2023-04-31", "impossible"),
        (ubl_xml, "0001-01-01", "implausible"),
        (ubl_xml, "9999-12-31", "implausible"),
    ],
)
def test_xml_dates_are_checked(build: object, issue: str, kind: str) -> None:
    assert callable(build)
    result = parse_einvoice(build(issue=issue))
    assert result.invoice.issue_date is None
    found = [p for p in result.problems if p.field == "issue_date"]
    assert [(p.code, p.raw_text) for p in found] == [(f"date.{kind}", issue)]


def _model_answer(issue: str | None, due: str | None) -> str:
    return json.dumps(
        {
            "invoice_likelihood": 0.9,
            "supplier_name": "Acme",
            "invoice_number": "A-1",
            "issue_date": issue,
            "due_date": due,
            "currency": "EUR",
            "subtotal_minor": 100,
            "tax_total_minor": 20,
            "total_minor": 120,
            "amounts_tax_inclusive": False,
            "supplier_vat_id": None,
            "buyer_name": None,
            "line_items": [],
            "evidence": [],
        }
    )


def test_model_dates_are_revalidated() -> None:
    parsed, errors = parse_output(_model_answer("2024-02-30", "0001-01-01"))
    assert errors == [] and parsed is not None
    assert parsed.invoice.issue_date is None and parsed.invoice.due_date is None
    assert _codes(parsed.problems) == {
        ("date.impossible", "issue_date"),
        ("date.implausible", "due_date"),
    }


def test_model_date_in_another_format_is_sent_back_for_repair() -> None:
    parsed, errors = parse_output(_model_answer("12/03/2024", None))
    assert parsed is None
    assert any("issue_date" in e for e in errors)


def test_text_line_amounts_beyond_64_bits_are_reported() -> None:
    text = "\n".join(
        (
            "Acme Ltd",
            "Invoice number: INV-1",
            "Invoice date: 12/03/2024",
            "Description  Qty  Unit  Total",
            f"Widget  2  £{HUGE}  £{HUGE}",
            "Total: £20.00",
        )
    )
    result = extract_with_rules(text)
    line = result.invoice.line_items[0]
    assert line.unit_price_minor is None and line.line_total_minor is None
    assert {
        ("amount.out_of_range", "line_items[0].unit_price_minor"),
        ("amount.out_of_range", "line_items[0].line_total_minor"),
    } <= _codes(result.problems)
    assert result.invoice.total_minor == 2000
    _survives(result)


# --- the model path keeps what the printed document establishes -----------------------------


def _model_result(**invoice: object) -> ExtractionResult:
    from schemas.invoice.extraction import ExtractorInfo

    return ExtractionResult(
        invoice=Invoice.model_validate(invoice),
        extractor=ExtractorInfo(kind="openai", name="model"),
    )


def test_model_cannot_replace_a_printed_impossible_date() -> None:
    from vouchflow.llm.extract import apply_printed_facts

    rules = extract_with_rules(_dated("30/02/2024"))
    model = _model_result(issue_date="2024-02-28", total_minor=2000, currency="GBP")

    invoice, problems, notes = apply_printed_facts(model, rules)

    assert invoice.issue_date is None
    assert ("date.impossible", "issue_date") in _codes(problems)
    assert any("30/02/2024" in n for n in notes)


def test_model_result_on_a_titled_credit_note_is_a_credit_note() -> None:
    from vouchflow.llm.extract import apply_printed_facts

    rules = extract_with_rules(_text("-£20.00", title="Credit note CN-9"))
    model = _model_result(total_minor=-2000, subtotal_minor=-2000, currency="GBP")

    invoice, _, _ = apply_printed_facts(model, rules)

    assert invoice.document_type == "credit_note"
    assert invoice.total_minor == 2000 and invoice.subtotal_minor == 2000
