"""The rules extractor on small invoice snippets in several languages and layouts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from schemas.invoice.extraction import ExtractionResult
from vouchflow.invoice.extraction.base import Extractor
from vouchflow.invoice.extraction.numbers import (
    detect_currency,
    find_amounts,
    parse_amount,
    parse_date,
)
from vouchflow.invoice.extraction.rules import RulesExtractor, extract_with_rules

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
    # Evidence names the label, the value and where they sit on the page.
    assert (_evidence(result, "total_minor") or "").startswith("Total £517.20 (page 1 at x ")
    assert (_evidence(result, "invoice_number") or "").startswith(
        "Invoice No: ACME-2026-0142 (page 1"
    )
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


# --- tables and summary blocks in the layouts text layers produce ------------------

STACKED_CELLS = """Invoice
INV-77/2026
Description
Quantity
Unit Price
Disc.%
Taxes
Amount
=== Garden ===
Cedar planter
large, untreated
2.00
Units
30.00
0.00
20.00%
$
60.00
Rose fertiliser
4.00
kg
5.00
25.00
20.00%
$
15.00
This product ships from our partner warehouse in two days
Subtotal
$
75.00
Trellis panel
1.00
Units
12.00
0.00
$
12.00
Total
$
87.00
"""


def test_stacked_table_cells_multi_line_description_discount_and_subtotal() -> None:
    items = extract_with_rules(STACKED_CELLS).invoice.line_items
    got = [
        (i.description, i.quantity, i.unit_price_minor, i.line_total_minor, i.tax_rate)
        for i in items
    ]
    assert got == [
        ("Cedar planter large, untreated", Decimal("2.00"), 3000, 6000, Decimal("20.00")),
        # 4 x 5.00 less 25% = 15.00; the heading and the note below are not in any name.
        ("Rose fertiliser", Decimal("4.00"), 500, 1500, Decimal("20.00")),
        # No tax cell printed: no rate is invented.
        ("Trellis panel", Decimal("1.00"), 1200, 1200, None),
    ]


def test_stacked_table_repeated_header_on_next_page() -> None:
    page = "Description\nQty\nPrice\nTotal\n"
    text = page + "Widget A\n2\n3.00\n6.00\n" + "Page 2\n" + page + "Widget B\n1\n4.50\n4.50\n"
    items = extract_with_rules(text).invoice.line_items
    assert [(i.description, i.line_total_minor) for i in items] == [
        ("Widget A", 600),
        ("Widget B", 450),
    ]


def test_one_line_row_with_discount_amount_and_percent() -> None:
    text = (
        "Item Qty Price Discount Total\n"
        "Desk lamp 3 20,00 6,00 54,00 EUR\n"
        "Cable tidy 10 2,00 10 18,00 EUR\n"
    )
    items = extract_with_rules(text).invoice.line_items
    assert [(i.description, i.quantity, i.unit_price_minor, i.line_total_minor) for i in items] == [
        ("Desk lamp", Decimal(3), 2000, 5400),
        ("Cable tidy", Decimal(10), 200, 1800),
    ]


def test_position_and_quantity_lead_the_row() -> None:
    text = (
        "Pos. Qty Description Price Amount\n"
        "1 2 Hosting plan basic 4,50 9,00\n"
        "2 1 Mailbox 3,89 3,89\n"
    )
    items = extract_with_rules(text).invoice.line_items
    assert [(i.description, i.quantity, i.unit_price_minor, i.line_total_minor) for i in items] == [
        ("Hosting plan basic", Decimal(2), 450, 900),
        ("Mailbox", Decimal(1), 389, 389),
    ]


def test_reversed_glued_row_keeps_unit_price_unknown() -> None:
    items = extract_with_rules("Article Qty Price VAT Total\n€ 7,5019%2Copy levy Storage\n").invoice
    (item,) = items.line_items
    assert item.description == "Copy levy Storage"
    assert (item.quantity, item.tax_rate, item.line_total_minor) == (
        Decimal(2),
        Decimal(19),
        750,
    )
    assert item.unit_price_minor is None


def test_lines_that_are_not_rows_stay_out() -> None:
    text = "Stacked\nDescription\nQty\nAmount\nSubtotal\n$\n10.00\nTotal\n$\n10.00\n"
    assert extract_with_rules(text).invoice.line_items == []


def test_vat_breakdown_table_gives_net_and_tax() -> None:
    text = """Factuur
Prijzen zijn inclusief BTW Totaal EUR 121,00
BTW % Grondslag BTW bedrag Totaal
21 % 80,00 16,80 96,80
9 % 22,20 2,00 24,20
102,20 18,80 121,00
"""
    inv = extract_with_rules(text).invoice
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (10220, 1880, 12100)


def test_vat_breakdown_ignored_when_it_does_not_add_up() -> None:
    text = "Net amount 50.00\nVAT amount 10.00\nTotal 60.00\nVAT % Base VAT\n20 % 40.00 8.00\n"
    inv = extract_with_rules(text).invoice
    assert (inv.subtotal_minor, inv.tax_total_minor) == (5000, 1000)


def test_booking_id_only_when_no_invoice_number() -> None:
    receipt = "PAYMENT RECEIPT\nBooking ID\nQRT5521\nGrand Total\nRs 1200\n"
    assert extract_with_rules(receipt).invoice.invoice_number == "QRT5521"
    both = "Invoice No: INV-9001\nBooking ID\nQRT5521\nTotal 12.00\n"
    assert extract_with_rules(both).invoice.invoice_number == "INV-9001"
    customer = "Customer No: 55120\nTotal 12.00\n"
    assert extract_with_rules(customer).invoice.invoice_number is None


def test_supplier_under_seller_heading_not_tax_representative() -> None:
    text = """FACTURE
SELLER  Customer address
Atelier Granit
12 rue Haute
Tax representative
Fiscal Rep Services
Ligne
Ligne
Ligne
Total TTC 12,00 €
"""
    assert extract_with_rules(text).invoice.supplier_name == "Atelier Granit"


def test_stacked_item_details_are_not_the_next_items_name() -> None:
    text = (
        "Item\nQuantity\nRate\nAmount\n"
        "Boiler service\n2\n$40.00\n$80.00\nNotes: replaced the fuse\nTax: 0.5%\n"
        "Call-out fee\n1\n$15.00\n$15.00\n"
    )
    items = extract_with_rules(text).invoice.line_items
    assert [(i.description, i.line_total_minor) for i in items] == [
        ("Boiler service", 8000),
        ("Call-out fee", 1500),
    ]


def test_a_due_date_before_the_issue_date_is_reported_not_dropped() -> None:
    from tests.invoice_texts import TextInvoice

    result = extract_with_rules(TextInvoice(number="D-1", due="01/09/2026").render())
    assert str(result.invoice.due_date) == "2026-09-01"
    (reported,) = [p for p in result.problems if p.code == "date.due_before_issue"]
    assert reported.field == "due_date" and "01/09/2026" in (reported.raw_text or "")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DKV Euro Service GmbH\nCurrency: HUF\nTotal 12 000,00", "HUF"),
        ("XYZ 7 GmbH & Co. KG\nWährung: EUR\nSumme 10,00", "EUR"),
        ("Invoice currency: SEK\n£ signs in a footnote: £ £", "SEK"),
        ("Devise : CHF\nTotal 5,00 €", "CHF"),
    ],
)
def test_a_labelled_currency_outweighs_names_and_signs(text: str, code: str) -> None:
    assert detect_currency(text)[0] == code


def test_the_accounting_currency_label_is_not_the_invoice_currency() -> None:
    text = "VAT in accounting currency: EUR\nTotal: 1 000,00 SEK\nNet: 800,00 SEK"
    assert detect_currency(text)[0] == "SEK"


@pytest.mark.parametrize(
    ("line", "amounts"),
    [
        ("VAT DKK225.00", [Decimal("225.00")]),
        ("Ref EUR2025-001", [Decimal("1")]),  # a reference, not 2025 euros
        ("SKU225.00", []),
    ],
)
def test_a_currency_code_glued_to_an_amount(line: str, amounts: list[Decimal]) -> None:
    assert [a.value for a in find_amounts(line)] == amounts


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("15-Mar-2025", dt.date(2025, 3, 15)),
        ("2025/03/15", dt.date(2025, 3, 15)),
        ("2025.03.15", dt.date(2025, 3, 15)),
    ],
)
def test_more_date_spellings(text: str, when: dt.date) -> None:
    assert parse_date(text) == when


@pytest.mark.parametrize("text", ["Invoice 2025/0093", "Ref 2025-001-02"])
def test_references_with_a_year_are_not_dates(text: str) -> None:
    assert parse_date(text) is None


def test_swiss_apostrophe_grouping_wherever_the_currency_stands() -> None:
    assert [a.value for a in find_amounts("CHF 1'234.50")] == [Decimal("1234.50")]
    assert [a.value for a in find_amounts("Total 12\u2019345.00")] == [Decimal("12345.00")]
