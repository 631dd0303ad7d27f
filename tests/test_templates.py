"""Supplier templates without Temporal: learn from one approved invoice, read the same
supplier's next invoice (different number, dates, amounts, lines), check an extractor's
answer against it, and catch changed bank details."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from schemas.invoice.extraction import ExtractionResult, ExtractorInfo
from schemas.invoice.invoice import Invoice
from tests.invoice_texts import Line, TextInvoice
from vouchflow.documents.layout import Layout, pdf_layout
from vouchflow.invoice.templates import (
    apply_template_check,
    check_against_template,
    identity_of,
    learn_template,
    read_with_template,
    recognise,
)
from vouchflow.invoice.templates.formats import find_amounts, find_dates, id_shape
from vouchflow.invoice.templates.identity import find_vat_ids, iban_valid, name_key

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
GROUND_TRUTH = json.loads((FIXTURES / "ground_truth.json").read_text())
KEY_FIELDS = ("supplier_name", "invoice_number", "issue_date", "currency", "total_minor")
SECURIBOX = (
    "securibox_Facture_F20260024-LE_FOURNISSEUR-POUR-LE_CLIENT_EN_16931.pdf",
    "securibox_Facture_F20260031-LE_FOURNISSEUR-POUR-LE_CLIENT_EN_16931.pdf",
)
COOLBLUE = ("invoice2data_coolblue1.pdf", "invoice2data_coolblue2.pdf")


def page(name: str) -> Layout:
    layout = pdf_layout((FIXTURES / name).read_bytes(), max_pages=5)
    assert layout is not None
    return layout


def approved(name: str) -> Invoice:
    return Invoice.model_validate(GROUND_TRUTH[name])


# ---- formats and identifiers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1'234.56", "1234.56"),
        ("€ 1,234.56", "1234.56"),
        ("108,00 EUR", "108.00"),
        ("-5,00", "-5.00"),
    ],
)
def test_amounts_in_any_printed_locale(printed: str, value: str) -> None:
    assert [str(a.value) for a in find_amounts(printed)] == [value]


@pytest.mark.parametrize(
    ("printed", "pattern"),
    [
        ("02/03/2026", "DMY/"),
        ("2026-03-02", "YMD-"),
        ("2. März 2026", "D MON Y"),
        ("2 mars 2026", "D MON Y"),
        ("2 maart 2026", "D MON Y"),
        ("2 marzo 2026", "D MON Y"),
        ("2 de marzo de 2026", "D MON Y"),
        ("March 2, 2026", "MON D Y"),
    ],
)
def test_dates_in_any_printed_format(printed: str, pattern: str) -> None:
    assert any(d.value == dt.date(2026, 3, 2) and d.pattern == pattern for d in find_dates(printed))


def test_a_learned_date_pattern_decides_day_and_month() -> None:
    assert [d.value for d in find_dates("02/03/2026", "MDY/")] == [dt.date(2026, 2, 3)]


def test_identifier_shapes() -> None:
    assert id_shape("F20260024") == r"[A-Z]\d{8}"
    assert id_shape("INV-2024-0042", loose=True) == r"[A-Z]+\-\d+\-\d+"


def test_vat_ids_and_ibans() -> None:
    text = "TVA FR 11 123 456 782 · USt-IdNr.: DE123456789 · ATU12345678 · NL123456789B01"
    assert [v for v, _, _ in find_vat_ids(text)] == [
        "FR11123456782",
        "DE123456789",
        "ATU12345678",
        "NL123456789B01",
    ]
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE89 3704 0044 0532 0130 01")  # checksum
    ids = identity_of("IBAN: GB29 NWBK 6016 1331 9268 19 BIC NWBKGB2L\nAccount number: 31926819")
    assert ids.ibans == ["GB29NWBK60161331926819"]
    assert ids.account_numbers == ["31926819"]
    assert name_key("Coolblue B.V.") == name_key("COOLBLUE BV") == "coolblue"


# ---- learn, then read the next invoice ----------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"), [SECURIBOX, SECURIBOX[::-1], COOLBLUE, COOLBLUE[::-1]]
)
def test_second_invoice_of_a_learned_supplier(first: str, second: str) -> None:
    template = learn_template(page(first), "", approved(first))
    assert {"supplier_name", "invoice_number", "issue_date", "total_minor"} <= set(template.fields)
    reading = read_with_template(template, page(second), "")
    expected = approved(second)
    for field in KEY_FIELDS:
        assert reading.values.get(field) == getattr(expected, field), field
    # Every evidence says where it was read.
    assert all(r.certainty > 0 for r in reading.fields.values() if r.value is not None)


def test_anchors_record_labels_positions_and_formats() -> None:
    template = learn_template(page(SECURIBOX[0]), "", approved(SECURIBOX[0]))
    number = template.fields["invoice_number"]
    assert number.format == r"[A-Z]\d{8}"
    assert number.anchors[0].label == "facture n" and number.anchors[0].relation == "right_of"
    assert template.fields["issue_date"].format == "DMY/"
    assert template.fields["total_minor"].format == ","
    # The totals box's label beats "NET A PAYER" (a prepaid amount makes them differ).
    assert template.fields["total_minor"].anchors[0].label == "total ttc"
    # The buyer's VAT id is kept apart: it is on every invoice we receive.
    assert "FR11123456782" in template.identity.vat_ids
    assert "FR05987654321" in template.buyer_identity.vat_ids


def test_a_field_that_cannot_be_found_is_left_to_the_extractor() -> None:
    invoice = approved(COOLBLUE[0]).model_copy(update={"due_date": dt.date(2031, 1, 1)})
    template = learn_template(page(COOLBLUE[0]), "", invoice)
    assert "due_date" not in template.fields


def test_a_text_invoice_with_more_lines_moving_the_totals_down() -> None:
    first = TextInvoice(supplier="Harbourside Paper Company Ltd", number="HP-1001")
    lines = [Line("Paper", 10, 2450), Line("Envelopes", 5, 800), Line("Staples", 3, 150)]
    second = TextInvoice(
        supplier="Harbourside Paper Company Ltd",
        number="HP-1002",
        issue="15/11/2026",
        due="15/12/2026",
        lines=lines,
    )
    learned = Invoice(
        supplier_name="Harbourside Paper Company Ltd",
        invoice_number="HP-1001",
        issue_date=dt.date(2026, 10, 1),
        due_date=dt.date(2026, 10, 31),
        currency="GBP",
        subtotal_minor=23400,
        tax_total_minor=4680,
        total_minor=28080,
    )
    template = learn_template(None, first.render(), learned)
    values = read_with_template(template, None, second.render()).values
    assert values["invoice_number"] == "HP-1002"
    assert values["issue_date"] == dt.date(2026, 11, 15)
    assert values["due_date"] == dt.date(2026, 12, 15)
    assert values["subtotal_minor"] == 28950
    assert values["total_minor"] == 34740
    assert values["currency"] == "GBP"


# ---- checking an extraction -------------------------------------------------------------


def extraction(invoice: Invoice) -> ExtractionResult:
    return ExtractionResult(invoice=invoice, extractor=ExtractorInfo(kind="rules", name="rules"))


def test_agreement_fills_and_disagreement() -> None:
    template = learn_template(page(SECURIBOX[0]), "", approved(SECURIBOX[0]))
    reading = read_with_template(template, page(SECURIBOX[1]), "")
    truth = approved(SECURIBOX[1])
    # The extractor misread the total and missed the due date.
    proposed = truth.model_copy(update={"total_minor": 10080, "due_date": None})
    check = check_against_template(extraction(proposed), reading, template)
    assert "total_minor" in check.disagreeing and "invoice_number" in check.agreeing
    assert check.fills == {"due_date": "2026-03-02"}
    [finding] = [f for f in check.findings if f.code == "template.disagrees"]
    assert finding.field == "total_minor"
    assert "EUR 100.80" in finding.message and "EUR 107.82" in finding.message
    checked = apply_template_check(extraction(proposed), check)
    assert checked.invoice.due_date == dt.date(2026, 3, 2)
    assert any(p.code == "template.disagrees" for p in checked.problems)
    assert any("template" in (e.source_text or "") for e in checked.evidence)


def test_disagreement_routes_to_review_and_the_supplier_is_known() -> None:
    from vouchflow.invoice.rules.assess import assess
    from vouchflow.settings import load_settings

    template = learn_template(page(SECURIBOX[0]), "", approved(SECURIBOX[0]))
    reading = read_with_template(template, page(SECURIBOX[1]), "")
    truth = approved(SECURIBOX[1])
    settings = load_settings(env={})
    agreeing = apply_template_check(
        extraction(truth), check_against_template(extraction(truth), reading, template)
    )
    result = assess(
        agreeing,
        duplicates=[],
        today=dt.date(2026, 2, 1),
        settings=settings,
        text_method="pdf_text",
        learned_supplier=template.supplier_name,
    )
    assert not any("not a known supplier" in r for r in result.decision.reasons)
    wrong = truth.model_copy(update={"invoice_number": "F20269999"})
    check = check_against_template(extraction(wrong), reading, template)
    result = assess(
        apply_template_check(extraction(wrong), check),
        duplicates=[],
        today=dt.date(2026, 2, 1),
        settings=settings,
        text_method="pdf_text",
        learned_supplier=template.supplier_name,
    )
    assert result.decision.route == "review"
    assert any("F20269999" in r and "F20260031" in r for r in result.decision.reasons)


def test_changed_iban_is_an_error_naming_both() -> None:
    text = TextInvoice(extra_text="IBAN: GB29 NWBK 6016 1331 9268 19").render()
    invoice = Invoice(
        supplier_name="Acme Office Supplies Ltd",
        invoice_number="INV-1001",
        issue_date=dt.date(2026, 10, 1),
        currency="GBP",
        total_minor=20088,
    )
    template = learn_template(None, text, invoice)
    assert template.identity.ibans == ["GB29NWBK60161331926819"]
    forged = text.replace("GB29 NWBK 6016 1331 9268 19", "GB94 BARC 1020 1530 0934 59")
    reading = read_with_template(template, None, forged)
    check = check_against_template(extraction(invoice), reading, template)
    [finding] = [f for f in check.findings if f.code == "supplier.bank_details_changed"]
    assert finding.severity == "error"
    assert "GB29 NWBK 6016 1331 9268 19" in finding.message
    assert "GB94 BARC 1020 1530 0934 59" in finding.message
    # Recognised by name and VAT id although the IBAN changed.
    found = recognise([template], identity_of(forged), invoice.supplier_name, forged)
    assert found is not None and found.template.template_id == template.template_id


def test_a_correction_updates_the_template() -> None:
    first = learn_template(page(SECURIBOX[0]), "", approved(SECURIBOX[0]))
    first.version = 1
    corrected = approved(SECURIBOX[1])
    second = learn_template(page(SECURIBOX[1]), "", corrected, first, corrected={"total_minor"})
    assert second.template_id == first.template_id
    assert second.fields["total_minor"].corrected
    assert second.fields["total_minor"].learned_value == "10782"


def test_the_buyers_id_shared_by_templates_recognises_nobody() -> None:
    a = learn_template(page(SECURIBOX[0]), "", approved(SECURIBOX[0]))
    other = a.model_copy(
        update={"template_id": "tpl-other", "supplier_name": "Other", "supplier_key": "other"}
    )
    found = recognise([a, other], identity_of("FR 11 123 456 782"), None)
    assert found is None  # the id is in both: it proves nothing
