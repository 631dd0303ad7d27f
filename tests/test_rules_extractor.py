"""The rules extractor on small invoice snippets in several languages and layouts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extraction.base import Extractor
from extraction.numbers import detect_currency, find_amounts, parse_amount, parse_date
from extraction.rules import RulesExtractor, extract_with_rules
from schemas.extraction import ExtractionResult

ENGLISH = """Acme Office Supplies Ltd
Unit 4, Riverside Trading Estate, Leeds LS11 5QT
VAT Reg No: GB 284 6613 07

INVOICE
Invoice No: ACME-2026-0142
Invoice Date: 14 March 2026
Due Date: 13 April 2026

Bill to:
Harbourside Studio Ltd

Description                        Qty   Unit price   VAT    Amount
A4 copier paper, box of 5 reams     10       £24.50   20%   £245.00
Black toner cartridge TN-2420        3       £62.00   20%   £186.00

Subtotal   £431.00
VAT 20%     £86.20
Total     £517.20
"""

GERMAN = """Blue Harbour Logistics GmbH
Am Sandtorkai 41, 20457 Hamburg
USt-IdNr.: DE 318 552 904
RECHNUNG
Rechnungsnummer: RE-2026-0077
Rechnungsdatum: 14. März 2026
Fällig am: 13.04.2026
Containerumschlag 2 640,00 EUR 19% 1.280,00 EUR
Nettobetrag 1.280,00 EUR
MwSt. 19 % 243,20 EUR
Gesamtbetrag 1.523,20 EUR
"""

FRENCH = """Papeterie Dupont SARL
12 rue des Lilas, 69003 Lyon
N° TVA intracommunautaire : FR 32 123 456 789
Facture n° F-2026-118
Date de facture : 14 mars 2026
Échéance : 13/04/2026
Ramettes papier A4 5 4,20 € 20% 21,00 €
Total HT : 1 021,00 €
TVA 20% : 204,20 €
Total TTC : 1 225,20 €
"""

DUTCH = """Kantoorhuis Noord B.V.
Industrieweg 8, 9723 Groningen
BTW-nummer NL810433941B01
Factuurnummer: 2026-4411
Factuurdatum: 14-03-2026
Vervaldatum: 13-04-2026
Bureaustoel Comfort 2 € 149,00 21% € 298,00
Subtotaal € 298,00
BTW 21% € 62,58
Totaal € 360,58
"""

ESSAY = """The history of double-entry bookkeeping

Double-entry bookkeeping was described in print by Luca Pacioli in 1494, although merchants
in Florence and Genoa had used it for some two centuries before that time, recording each
transaction twice so that the books would balance at the end of the period.
The method spread slowly across Europe, carried by trade and by the printing press, and it
remains the foundation of modern accounting, from the smallest shop to the largest company.
Historians still argue about how much it contributed to the rise of capitalism, and whether
the merchants who used it understood it as anything more than a convenient habit of work.
"""


def _evidence(result: ExtractionResult, field: str) -> str | None:
    for ev in result.evidence:
        if ev.field == field:
            return ev.source_text
    return None


def test_english_invoice_header_lines_and_evidence() -> None:
    result = extract_with_rules(ENGLISH, filename="acme.pdf")
    inv = result.invoice
    assert inv.supplier_name == "Acme Office Supplies Ltd"
    assert inv.invoice_number == "ACME-2026-0142"
    assert inv.issue_date == dt.date(2026, 3, 14)
    assert inv.due_date == dt.date(2026, 4, 13)
    assert inv.currency == "GBP"
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (43100, 8620, 51720)
    assert [item.description for item in inv.line_items] == [
        "A4 copier paper, box of 5 reams",
        "Black toner cartridge TN-2420",
    ]
    first = inv.line_items[0]
    assert (first.quantity, first.unit_price_minor, first.tax_rate, first.line_total_minor) == (
        Decimal(10),
        2450,
        Decimal(20),
        24500,
    )
    assert _evidence(result, "total_minor") == "Total     £517.20"
    assert _evidence(result, "invoice_number") == "Invoice No: ACME-2026-0142"
    fields = {ev.field for ev in result.evidence}
    assert {"supplier_name", "issue_date", "line_items[1].line_total_minor"} <= fields
    assert all(0.0 <= ev.certainty <= 1.0 for ev in result.evidence)
    assert result.certainty_of("total_minor") is not None
    assert result.certainty_of("total_minor") > 0.5  # type: ignore[operator]
    assert result.extractor.kind == "rules"
    assert result.invoice_likelihood >= 0.9
    assert result.injection_flags == []


def test_german_labels_and_number_formats() -> None:
    inv = extract_with_rules(GERMAN).invoice
    assert inv.supplier_name == "Blue Harbour Logistics GmbH"
    assert inv.invoice_number == "RE-2026-0077"
    assert inv.issue_date == dt.date(2026, 3, 14)
    assert inv.due_date == dt.date(2026, 4, 13)
    assert inv.currency == "EUR"
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (128000, 24320, 152320)
    # "2 640,00" is quantity 2 at 640,00 here, because 2 x 640,00 = 1.280,00.
    assert len(inv.line_items) == 1
    assert inv.line_items[0].quantity == Decimal(2)
    assert inv.line_items[0].unit_price_minor == 64000


def test_french_labels_space_thousands_and_tax_id_ignored() -> None:
    inv = extract_with_rules(FRENCH).invoice
    assert inv.supplier_name == "Papeterie Dupont SARL"
    assert inv.invoice_number == "F-2026-118"
    assert inv.issue_date == dt.date(2026, 3, 14)
    assert inv.due_date == dt.date(2026, 4, 13)
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (102100, 20420, 122520)
    assert inv.line_items[0].line_total_minor == 2100


def test_dutch_labels() -> None:
    inv = extract_with_rules(DUTCH).invoice
    assert inv.supplier_name == "Kantoorhuis Noord B.V."
    assert inv.invoice_number == "2026-4411"
    assert inv.issue_date == dt.date(2026, 3, 14)
    assert inv.due_date == dt.date(2026, 4, 13)
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (29800, 6258, 36058)
    assert inv.line_items[0].tax_rate == Decimal(21)


def test_values_glued_before_labels_and_derived_subtotal() -> None:
    text = "FACTUUR.\nShop B.V.\n993548900Factuurnummer: \n19 april 2014Factuurdatum: \n"
    text += "29.99  € TTCSomme à payer\n5.00TVA 20% payée sur les encaissements\n"
    result = extract_with_rules(text)
    inv = result.invoice
    assert inv.invoice_number == "993548900"
    assert inv.issue_date == dt.date(2014, 4, 19)
    assert (inv.total_minor, inv.tax_total_minor, inv.subtotal_minor) == (2999, 500, 2499)
    assert _evidence(result, "subtotal_minor") == "derived: total - tax"


def test_value_on_following_lines_and_tax_base_skipped() -> None:
    text = "Invoice\n \nINV/2023/03/0008\nInvoice Date:\n03/20/2023\nSubtotal\n$ \n262.90\n"
    text += "Tax 15%\n \non \n$ 112.90\n$ 16.94\nTotal\n$ \n279.84\n"
    inv = extract_with_rules(text).invoice
    assert inv.invoice_number == "INV/2023/03/0008"
    assert inv.issue_date == dt.date(2023, 3, 20)
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (26290, 1694, 27984)
    assert inv.currency == "USD"


def test_essay_scores_low_and_has_no_amounts() -> None:
    result = extract_with_rules(ESSAY)
    assert result.invoice_likelihood < 0.5
    assert result.invoice.total_minor is None
    assert result.invoice.invoice_number is None


def test_empty_and_garbage_text_do_not_raise() -> None:
    for text in ("", "\n\n", "%%%% 12 ## 99,9,9 ..", "Total: ∞"):
        result = extract_with_rules(text)
        assert result.invoice_likelihood < 0.5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("£1,234,567.89", "1234567.89"),
        ("€ 4.904,94", "4904.94"),
        ("-12.50", "-12.50"),
        ("(12.50)", "-12.50"),
        ("0,75", "0.75"),
        ("1.234", "1234"),
    ],
)
def test_parse_amount(raw: str, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


def test_find_amounts_skips_percentages_dates_codes_and_glued_digits() -> None:
    values = [a.value for a in find_amounts("VAT 20% on 14/03/2026 GB284 £96.40")]
    assert values == [Decimal("96.40")]
    assert find_amounts("29.995.0024.99Total facture") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-14", dt.date(2026, 3, 14)),
        ("14/03/2026", dt.date(2026, 3, 14)),
        ("14.03.2026", dt.date(2026, 3, 14)),
        ("14 March 2026", dt.date(2026, 3, 14)),
        ("March 14, 2026", dt.date(2026, 3, 14)),
        ("August 3 , 2014", dt.date(2014, 8, 3)),
        ("14 mars 2026", dt.date(2026, 3, 14)),
        ("14. März 2026", dt.date(2026, 3, 14)),
        ("19 april 2014", dt.date(2014, 4, 19)),
        ("1er juillet 2015", dt.date(2015, 7, 1)),
        ("03/20/2023", dt.date(2023, 3, 20)),
        ("21.05.14", dt.date(2014, 5, 21)),
        ("31/02/2026", None),
    ],
)
def test_parse_date(raw: str, expected: dt.date | None) -> None:
    assert parse_date(raw) == expected


def test_month_first_preference_only_for_ambiguous_dates() -> None:
    assert parse_date("04/05/2026", prefer_month_first=True) == dt.date(2026, 4, 5)
    assert parse_date("04/05/2026") == dt.date(2026, 5, 4)
    assert parse_date("25/05/2026", prefer_month_first=True) == dt.date(2026, 5, 25)


def test_detect_currency() -> None:
    assert detect_currency("Total £12.00")[0] == "GBP"
    assert detect_currency("Betrag 12,00 EUR\nSumme 14,00 €")[0] == "EUR"
    assert detect_currency("Rs 1939 x 1 Night")[0] == "INR"
    assert detect_currency("Należność ogółem: 316,83 PLN")[0] == "PLN"
    assert detect_currency("no money here") == (None, None)


async def test_rules_extractor_implements_protocol() -> None:
    extractor: Extractor = RulesExtractor()
    assert extractor.kind == "rules"
    result = await extractor.extract(ENGLISH, filename="acme.txt")
    assert result.invoice.total_minor == 51720
    assert result.extractor.name == "rules extractor (no model)"
