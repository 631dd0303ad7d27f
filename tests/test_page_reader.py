"""The page reader: labels in six languages, values by position, totals that add up, the
issuer and not the buyer, and certainties that mean something. Pages are drawn as real
PDFs (fpdf2) and read back through the production reader's word boxes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from fpdf import FPDF

from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.layout import Layout, group_lines, pdf_layout, text_layout
from vouchflow.documents.reader import read_document
from vouchflow.invoice.extraction.page_fields import read_page
from vouchflow.invoice.extraction.page_labels import ALL_FIELD_LABELS, GROSS, NET, fold, match_label
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.settings.config import IntakeSettings

Cell = tuple[float, float, str, int]  # x, y (mm), text, font size


def draw(cells: list[Cell], *, bold: set[str] | None = None) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    for x, y, text, size in cells:
        style = "B" if bold and text in bold else ""
        pdf.set_font("Helvetica", style, size)
        pdf.text(x, y, text)
    return bytes(pdf.output())


def layout_of(data: bytes) -> Layout:
    layout = pdf_layout(data, max_pages=5)
    assert layout is not None
    return layout


def german_invoice(*, seller: str = "Müller Haustechnik GmbH") -> bytes:
    return draw(
        [
            (20, 20, f"{seller} · Hauptstraße 5 · 80331 München", 7),
            (20, 32, "Bäckerei Sonnenschein KG", 10),
            (20, 37, "Lindenweg 12", 10),
            (20, 42, "10115 Berlin", 10),
            (120, 32, "Rechnungsnummer:", 10),
            (160, 32, "RE-2025-0417", 10),
            (120, 37, "Rechnungsdatum:", 10),
            (160, 37, "14.03.2025", 10),
            (120, 42, "Kundennummer:", 10),
            (160, 42, "K-88812", 10),
            (120, 47, "Fällig am:", 10),
            (160, 47, "28.03.2025", 10),
            (20, 60, "Rechnung", 16),
            (20, 75, "Pos", 9),
            (35, 75, "Beschreibung", 9),
            (150, 75, "Betrag", 9),
            (20, 82, "1", 9),
            (35, 82, "Wartung Heizungsanlage", 9),
            (150, 82, "1.250,00 EUR", 9),
            (20, 88, "2", 9),
            (35, 88, "Ersatzteile", 9),
            (150, 88, "349,50 EUR", 9),
            (110, 100, "Summe netto", 10),
            (150, 100, "1.599,50 EUR", 10),
            (110, 106, "zzgl. 19 % USt.", 10),
            (150, 106, "303,91 EUR", 10),
            (110, 112, "Gesamtbetrag", 10),
            (150, 112, "1.903,41 EUR", 10),
            (20, 270, seller, 7),
            (20, 274, "Hauptstraße 5, 80331 München", 7),
            (90, 270, "IBAN DE89 3704 0044 0532 0130 00", 7),
            (150, 270, "USt-IdNr. DE123456789", 7),
        ]
    )


def test_german_designed_invoice_reads_every_key_field_surely() -> None:
    page = read_page(layout_of(german_invoice()))
    assert page.value("supplier_name") == "Müller Haustechnik GmbH"
    assert page.value("invoice_number") == "RE-2025-0417"
    assert page.value("issue_date") == dt.date(2025, 3, 14)
    assert page.value("due_date") == dt.date(2025, 3, 28)
    assert page.value("currency") == "EUR"
    assert page.value("subtotal_minor") == Decimal("1599.50")
    assert page.value("tax_total_minor") == Decimal("303.91")
    assert page.value("total_minor") == Decimal("1903.41")
    # Totals that add up are sure; the evidence says where each value sits.
    total = page.fields["total_minor"]
    assert total.certainty >= 0.9
    assert "net + tax = gross" in (total.evidence or "")
    assert "page 1 at x" in (page.fields["invoice_number"].evidence or "")


def test_the_buyer_in_the_address_window_is_never_the_supplier() -> None:
    page = read_page(layout_of(german_invoice()))
    assert "backerei sonnenschein kg" in page.buyer_names
    assert page.value("supplier_name") != "Bäckerei Sonnenschein KG"


def test_a_customer_number_beside_the_invoice_number_is_not_taken() -> None:
    page = read_page(layout_of(german_invoice()))
    assert page.value("invoice_number") != "K-88812"


@pytest.mark.parametrize(
    ("number_label", "date_label", "total_label", "net_label", "tax_label", "date_text", "when"),
    [
        ("Invoice number:", "Invoice date:", "Total due", "Subtotal", "VAT 20%", "3 March 2025",
         dt.date(2025, 3, 3)),
        ("N° de facture :", "Date de facture :", "Total TTC", "Total HT", "TVA 20 %",
         "3 mars 2025", dt.date(2025, 3, 3)),
        ("Factuurnummer:", "Factuurdatum:", "Totaal incl. btw", "Subtotaal", "BTW 21%",
         "3 maart 2025", dt.date(2025, 3, 3)),
        ("Numero fattura:", "Data fattura:", "Totale fattura", "Imponibile", "IVA 22%",
         "3 marzo 2025", dt.date(2025, 3, 3)),
        ("Número de factura:", "Fecha de factura:", "Total factura", "Base imponible",
         "IVA 21%", "3 de marzo de 2025", dt.date(2025, 3, 3)),
        # Short forms: Italian "n.", Spanish "n.º"; credit notes under their own titles.
        ("Fattura n.", "Data fattura:", "Totale documento", "Imponibile", "IVA 22%",
         "03/03/2025", dt.date(2025, 3, 3)),
        ("Factura n.º", "Fecha de factura:", "Total factura", "Base imponible", "IVA 21%",
         "03/03/2025", dt.date(2025, 3, 3)),
        ("Gutschrift Nr.", "Gutschriftsdatum:", "Gesamtbetrag brutto", "Nettobetrag",
         "USt. 19 %", "03.03.2025", dt.date(2025, 3, 3)),
        ("Avoir n°", "Date de l'avoir :", "Total TTC", "Total HT", "TVA 20 %", "3 mars 2025",
         dt.date(2025, 3, 3)),
        ("Credit note no.", "Credit note date:", "Total due", "Subtotal", "VAT 20%",
         "3 March 2025", dt.date(2025, 3, 3)),
    ],
)  # fmt: skip
def test_the_same_fields_in_five_more_languages(
    number_label: str,
    date_label: str,
    total_label: str,
    net_label: str,
    tax_label: str,
    date_text: str,
    when: dt.date,
) -> None:
    data = draw(
        [
            (20, 20, "Northwind Trading Ltd", 16),
            (20, 27, "12 Harbour Road, 1012 AB Amsterdam", 8),
            (120, 40, number_label, 10),
            (165, 40, "2025/0093", 10),
            (120, 46, date_label, 10),
            (165, 46, date_text, 10),
            (110, 100, net_label, 10),
            (160, 100, "1.000,00 EUR", 10),
            (110, 106, tax_label, 10),
            (160, 106, "200,00 EUR", 10),
            (110, 112, total_label, 10),
            (160, 112, "1.200,00 EUR", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("invoice_number") == "2025/0093"
    assert page.value("issue_date") == when
    assert page.value("currency") == "EUR"
    assert page.value("total_minor") == Decimal("1200.00")
    assert page.value("subtotal_minor") == Decimal("1000.00")
    assert page.value("supplier_name") == "Northwind Trading Ltd"


def test_totals_are_the_amounts_that_add_up_not_the_first_after_total() -> None:
    # "Total" first labels a column sum; the amount due is after a prepayment.
    data = draw(
        [
            (20, 20, "Acme Tools Ltd", 16),
            (120, 30, "Invoice No:", 10),
            (160, 30, "A-77", 10),
            (110, 90, "Total", 10),
            (160, 90, "250.00", 10),
            (110, 96, "Net amount", 10),
            (160, 96, "500.00", 10),
            (110, 102, "VAT 20%", 10),
            (160, 102, "100.00", 10),
            (110, 108, "Total incl. VAT", 10),
            (160, 108, "600.00", 10),
            (110, 114, "Paid", 10),
            (160, 114, "100.00", 10),
            (110, 120, "Amount due", 10),
            (160, 120, "500.00", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("total_minor") == Decimal("600.00")
    assert page.value("subtotal_minor") == Decimal("500.00")
    assert page.value("tax_total_minor") == Decimal("100.00")


def test_a_lone_total_nothing_confirms_is_not_sure() -> None:
    data = draw([(20, 20, "Acme Tools Ltd", 16), (110, 90, "Total", 10), (160, 90, "99.00", 10)])
    page = read_page(layout_of(data))
    assert page.value("total_minor") == Decimal("99.00")
    assert page.fields["total_minor"].certainty < 0.75


def test_an_ambiguous_date_is_never_sure() -> None:
    # 03/04/2025 with nothing on the page to say which is the day.
    data = draw(
        [
            (20, 20, "Acme Tools Ltd", 16),
            (120, 30, "Invoice date:", 10),
            (160, 30, "03/04/2025", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.fields["issue_date"].cap is not None
    result = extract_with_rules("Acme Tools Ltd\nInvoice date: 03/04/2025\n", layout=None)
    assert (result.certainty_of("issue_date") or 0) <= 0.6


def test_a_date_over_twelve_settles_the_order_for_the_page() -> None:
    data = draw(
        [
            (20, 20, "Acme Tools Ltd", 16),
            (120, 30, "Invoice date:", 10),
            (160, 30, "03/04/2025", 10),
            (120, 36, "Due date:", 10),
            (160, 36, "18/04/2025", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("issue_date") == dt.date(2025, 4, 3)
    assert page.fields["issue_date"].cap is None


def test_a_seller_block_in_a_form_style_viewer() -> None:
    # Viewer renderings: headed blocks, "Name:" rows, the value beside the label.
    data = draw(
        [
            (20, 20, "Verkäufer", 11),
            (20, 28, "Name:", 9),
            (80, 28, "Solartechnik Nord GmbH", 9),
            (20, 34, "Anschrift:", 9),
            (80, 34, "Deichstraße 1", 9),
            (20, 48, "Käufer", 11),
            (20, 56, "Name:", 9),
            (80, 56, "Stadtwerke Süd AG", 9),
            (20, 80, "Rechnung Nr. 4711 vom 02.05.2025", 11),
            (20, 90, "Gesamtsumme", 9),
            (80, 90, "netto", 9),
            (150, 90, "100,00", 9),
            (20, 96, "Summe Umsatzsteuer", 9),
            (150, 96, "19,00", 9),
            (20, 102, "Gesamtsumme", 9),
            (80, 102, "brutto", 9),
            (150, 102, "119,00", 9),
        ],
        bold={"Verkäufer", "Käufer"},
    )
    page = read_page(layout_of(data))
    assert page.value("supplier_name") == "Solartechnik Nord GmbH"
    assert page.value("invoice_number") == "4711"
    assert page.value("issue_date") == dt.date(2025, 5, 2)
    assert page.value("total_minor") == Decimal("119.00")
    assert page.value("subtotal_minor") == Decimal("100.00")


def test_labels_fold_case_accents_and_qualifiers() -> None:
    assert fold("Fällig  AM") == "fallig am"
    gross = match_label("Total TTC", GROSS)
    assert gross is not None and gross[0].role == "gross"
    assert match_label("Total HT", GROSS) is None
    net = match_label("Rechnungssumme ohne USt.", NET)
    assert net is not None and net[0].role == "net"


def test_text_documents_get_a_character_grid_layout() -> None:
    text = "Acme Ltd\n\nInvoice No:   INV-9\nTotal         12.00\n\fPage two"
    layout = text_layout(text)
    assert [p.number for p in layout.pages] == [0, 1]
    lines = group_lines(layout)
    assert [s.text for s in lines[1].segments] == ["Invoice No:", "INV-9"]
    assert Layout.from_bytes(layout.to_bytes()).pages[0].words == layout.pages[0].words


def test_the_reader_stores_the_layout_beside_the_text(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    doc = read_document(german_invoice(), filename="re.pdf", limits=IntakeSettings(), blobs=blobs)
    assert doc.ok and doc.layout_ref is not None
    layout = Layout.from_bytes(blobs.get(doc.layout_ref.sha256))
    words = [w.text for _, w in layout.words()]
    assert "RE-2025-0417" in words


def test_extraction_is_certain_only_where_layout_and_lines_agree() -> None:
    layout = layout_of(german_invoice())
    text = "\n".join(line.text for line in group_lines(layout))
    result = extract_with_rules(text, layout=layout)
    assert result.invoice.total_minor == 190341
    assert result.invoice.invoice_number == "RE-2025-0417"
    assert (result.certainty_of("total_minor") or 0) >= 0.9
    # Hand the extractor a page whose layout says something else than its text lines.
    other = layout_of(german_invoice(seller="Falsch & Partner GmbH"))
    mixed = extract_with_rules(text, layout=other)
    assert mixed.invoice.supplier_name == "Falsch & Partner GmbH"
    assert (mixed.certainty_of("supplier_name") or 1) <= 0.8


def test_the_payment_term_settles_an_ambiguous_date_order() -> None:
    # Day-first, the due date would come a month before the issue date; month-first it
    # follows it by 27 days: the page reads month-first.
    data = draw(
        [
            (20, 20, "Acme Tools Ltd", 16),
            (120, 30, "Invoice date:", 10),
            (160, 30, "02/11/2025", 10),
            (120, 36, "Due date:", 10),
            (160, 36, "03/10/2025", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("issue_date") == dt.date(2025, 2, 11)
    assert page.value("due_date") == dt.date(2025, 3, 10)
    # Likely, not proven: never surer than the settled-order cap.
    assert page.fields["issue_date"].cap == 0.8
    assert "payment term" in (page.fields["issue_date"].evidence or "")


def test_a_value_under_a_wider_column_header() -> None:
    data = draw(
        [
            (20, 20, "Acme Tools Ltd", 16),
            (100, 40, "Payment due date", 8),
            (150, 40, "Settlement period", 8),
            (112, 45, "18/04/2025", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("due_date") == dt.date(2025, 4, 18)


def test_a_page_of_thousands_of_totals_is_searched_within_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Totals are searched as combinations: a hostile page printing thousands of labelled
    # amounts must not multiply the work; only the surest few per role are tried.
    from vouchflow.invoice.extraction import page_totals

    seen: list[int] = []
    original = page_totals._tax_options

    def counting(taxes: list[page_totals.Candidate]) -> object:
        seen.append(len(taxes))
        return original(taxes)

    monkeypatch.setattr(page_totals, "_tax_options", counting)
    text = "Acme Ltd\n" + "".join(
        f"Total {i}.00\nSubtotal {i}.00\nVAT {i % 7}.00\n" for i in range(2000)
    )
    result = extract_with_rules(text)
    assert seen and max(seen) <= page_totals.MAX_CANDIDATES
    assert (result.certainty_of("total_minor") or 0) < 0.75


def two_column_viewer_form(*, seller_lines: list[str], buyer_name: str) -> list[Cell]:
    """Buyer and seller side by side, each value cell beside its label and a long seller
    name wrapped in its narrow cell around the label's line (as e-invoice viewers print)."""
    cells: list[Cell] = [
        (15, 20, "Information about the buyer", 11),
        (110, 20, "Information about the seller", 11),
        (18, 34, "Name:", 9),
        (65, 34, buyer_name, 9),
        (112, 34, "Company name:", 9),
    ]
    start = 34 - 2.2 * (len(seller_lines) - 1)
    cells += [(160, start + 4.4 * i, text, 9) for i, text in enumerate(seller_lines)]
    cells += [
        (18, 46, "Address line 1:", 9),
        (65, 46, "Kerkstraat 1", 9),
        (112, 46, "Address line 1:", 9),
        (160, 46, "Hafenweg 9", 9),
        (18, 70, "Invoice number:", 9),
        (65, 70, "INV-5521", 9),
        (18, 76, "Currency:", 9),
        (65, 76, "HUF", 9),
        (18, 90, "Total amount net", 9),
        (160, 90, "100.00", 9),
        (18, 96, "Total VAT", 9),
        (160, 96, "27.00", 9),
        (18, 102, "Total gross", 9),
        (160, 102, "127.00", 9),
        # A name with "Euro" in it must not outvote the labelled currency.
        (18, 120, "Payment via Euro Clearing Services", 9),
    ]
    return cells


@pytest.mark.parametrize(
    "seller_lines",
    [
        ["Nordlicht Windkraft", "Betriebs GmbH"],
        ["Ubiquitous", "Nordlicht Windkraft", "Betriebs GmbH"],
    ],
)
def test_a_seller_name_wrapped_around_its_label_is_read_whole(seller_lines: list[str]) -> None:
    page = read_page(
        layout_of(draw(two_column_viewer_form(seller_lines=seller_lines, buyer_name="Stadtwerk")))
    )
    assert page.value("supplier_name") == " ".join(seller_lines)
    assert page.fields["supplier_name"].certainty >= 0.85
    assert page.value("currency") == "HUF"


def test_a_buyer_called_customer_does_not_make_the_seller_a_buyer() -> None:
    # "Name: Klant" (Dutch "customer"): the word is the buyer's name, the value of a label;
    # the seller's name printed further right on the same line stays the seller's.
    cells = two_column_viewer_form(seller_lines=["Enexis B.V."], buyer_name="Klant")
    page = read_page(layout_of(draw(cells)))
    assert page.value("supplier_name") == "Enexis B.V."
    assert "enexis b.v." not in page.buyer_names


def test_an_empty_from_to_pair_is_not_a_supplier_name() -> None:
    # "Billing period  From:  To:" with no dates: "From" heads nothing, "To:" is a label.
    cells = two_column_viewer_form(
        seller_lines=["Nordlicht Windkraft GmbH"], buyer_name="Stadtwerk"
    )
    cells += [(18, 140, "Billing period:", 9), (18, 146, "From:", 9), (18, 152, "To:", 9)]
    page = read_page(layout_of(draw(cells)))
    assert page.value("supplier_name") == "Nordlicht Windkraft GmbH"
    assert page.fields["supplier_name"].certainty >= 0.85


def test_the_pages_unambiguous_dates_suggest_the_order_but_never_surely() -> None:
    # Due on receipt, 02/05/2025: either order is a usual term. The delivery on 2025-02-04
    # makes 5 February the likely issue date (2 May is three months away); a person still
    # confirms it.
    data = draw(
        [
            (20, 20, "Acme Tools Ltd", 16),
            (120, 30, "Invoice date:", 10),
            (160, 30, "02/05/2025", 10),
            (120, 36, "Due date:", 10),
            (160, 36, "02/05/2025", 10),
            (20, 60, "Delivered on 2025-02-04", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("issue_date") == dt.date(2025, 2, 5)
    assert page.fields["issue_date"].certainty <= 0.6
    assert "other dates" in (page.fields["issue_date"].evidence or "")


def test_a_usual_payment_term_suggests_the_order_but_never_surely() -> None:
    # 02/05/2025 and 03/05/2025: a one-day term day-first, four weeks month-first.
    data = draw(
        [
            (20, 20, "Acme Tools Ltd", 16),
            (120, 30, "Invoice date:", 10),
            (160, 30, "02/05/2025", 10),
            (120, 36, "Due date:", 10),
            (160, 36, "03/05/2025", 10),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("issue_date") == dt.date(2025, 2, 5)
    assert page.value("due_date") == dt.date(2025, 3, 5)
    assert page.fields["due_date"].certainty <= 0.6
    assert "usual payment term" in (page.fields["issue_date"].evidence or "")


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Total invoice line net amount", None),  # a net sum, never the gross total
        ("Total charges", None),
        ("Total allowances", None),
        ("Total amount net", "net"),
        ("Total amount", "gross"),
        ("Total amount due", "gross"),
        ("Gesamtbetrag netto", "net"),
    ],
)
def test_words_after_a_total_label_can_make_it_another_amount(label: str, role: str | None) -> None:
    found = match_label(label, GROSS + NET)
    assert (found[0].role if found else None) == role


def test_a_viewer_form_with_a_zero_rated_line_net_and_a_gross_total() -> None:
    # "Total invoice line net amount 10,000.00" and a zero VAT row must not be read as
    # "gross 10,000 = net 10,000 + tax 0": the labelled gross total is 8,410.00.
    rows = [
        ("Total invoice line net amount", "net", "10,000.00"),
        ("Total allowances", "net", "2,500.00"),
        ("Total charges", "net", "400.00"),
        ("Total amount", "net", "7,900.00"),
        ("Total VAT", "", "510.00"),
        ("Total", "gross", "8,410.00"),
        ("VAT amount", "", "0.00"),
    ]
    cells: list[Cell] = [(20, 20, "Nordlicht Windkraft GmbH", 14)]
    for i, (label, qualifier, amount) in enumerate(rows):
        y = 40 + 8 * i
        cells += [(20, y, label, 9), (110, y, qualifier, 9), (160, y, amount, 9)]
    page = read_page(layout_of(draw([c for c in cells if c[2]])))
    assert page.value("total_minor") == Decimal("8410.00")
    assert page.value("subtotal_minor") == Decimal("7900.00")
    assert page.value("tax_total_minor") == Decimal("510.00")


def test_amounts_printed_as_stored_or_glued_to_their_code() -> None:
    # Viewers print XML amounts as stored (one decimal) and sometimes glue the code on.
    data = draw(
        [
            (20, 20, "Nordlicht Windkraft GmbH", 14),
            (100, 40, "Net Total", 9),
            (160, 40, "8,336.00", 9),
            (100, 46, "VAT", 9),
            (160, 46, "DKK1,821.5", 9),
            (100, 52, "Grand Total", 9),
            (160, 52, "10,157.5", 9),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("total_minor") == Decimal("10157.5")
    assert page.value("tax_total_minor") == Decimal("1821.5")


def test_a_bare_title_column_in_a_header_row_names_the_number_under_it() -> None:
    # "Klant | Order | Factuurdatum | Factuur | Vervaldatum" with the values in the row below;
    # the delivery address block is the buyer's, and a sentence is never a supplier name.
    data = draw(
        [
            (20, 20, "Factuuradres", 9),
            (120, 20, "Afleveradres", 9),
            (20, 26, "Strategic Corp", 9),
            (120, 26, "Bosd", 9),
            (120, 31, "Fakestraat 46", 9),
            (120, 36, "3500 MJ Utrecht", 9),
            (15, 60, "Klant", 9),
            (50, 60, "Order", 9),
            (110, 60, "Factuurdatum", 9),
            (150, 60, "Factuur", 9),
            (180, 60, "Vervaldatum", 9),
            (15, 65, "SCONL0303006", 9),
            (50, 65, "SO-000444", 9),
            (112, 65, "8-9-2022", 9),
            (145, 65, "VF1005193039", 9),
            (180, 65, "22-9-2022", 9),
            (20, 200, "The issuer encapsulated their company data in the image below:", 11),
        ]
    )
    page = read_page(layout_of(data))
    assert page.value("invoice_number") == "VF1005193039"
    assert page.fields["invoice_number"].certainty < 0.75  # a header guess: a person checks
    assert page.value("issue_date") == dt.date(2022, 9, 8)
    supplier = page.value("supplier_name")
    assert supplier is None or "issuer" not in str(supplier)
    assert "bosd" in page.buyer_names


def test_a_code_wrapped_after_its_separator_is_read_whole() -> None:
    # "INV-2023-EASY-" / "001" in a narrow value cell around the label: a truncated number
    # would be a wrong number read with a sure label.
    cells = two_column_viewer_form(
        seller_lines=["Nordlicht Windkraft GmbH"], buyer_name="Stadtwerk"
    )
    cells = [c for c in cells if c[2] not in ("Invoice number:", "INV-5521")]
    cells += [
        (18, 182, "Invoice number:", 9),
        (65, 180, "INV-2023-EASY-", 9),
        (65, 184.4, "001", 9),
    ]
    page = read_page(layout_of(draw(cells)))
    assert page.value("invoice_number") == "INV-2023-EASY-001"


def test_the_party_word_inside_values_is_not_a_heading_of_its_own() -> None:
    # The seller's own name and address use the word ("LE FOURNISSEUR", "Cour du
    # fournisseur", "Seller line 2"), and running text says "from date of invoice".
    cells = two_column_viewer_form(seller_lines=["LE", "FOURNISSEUR"], buyer_name="LE CLIENT")
    cells = [c for c in cells if c[2] != "Hafenweg 9"]
    cells += [
        (160, 46, "Cour du", 9),
        (160, 50.4, "fournisseur", 9),
        (112, 58, "Address line 2:", 9),
        (160, 58, "Seller line 2", 9),
        (18, 160, "Payment terms:", 9),
        (65, 158, "from date of", 9),
        (65, 162.4, "invoice.", 9),
    ]
    page = read_page(layout_of(draw(cells)))
    assert page.value("supplier_name") == "LE FOURNISSEUR"
    assert page.fields["supplier_name"].certainty >= 0.85


@pytest.mark.parametrize("name", ["FR", "DE", "EA"])
def test_a_bare_code_is_not_a_company_name(name: str) -> None:
    from vouchflow.invoice.extraction.page_supplier import plausible_name

    assert not plausible_name(name)
    assert plausible_name("3M Deutschland GmbH")


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("MwSt. 19%", "tax"),  # the German VAT row, not an identifier
        ("USt. 19 %", "tax"),
        ("Umsatzsteuer 19 %", "tax"),
        ("USt-IdNr.: DE123456789", "other_number"),
        ("Umsatzsteuer-Identifikationsnummer: DE123456789", "other_number"),
        ("VAT Reg. No: GB123456789", "other_number"),
        ("BTW-nummer NL123456789B01", "other_number"),
        ("N° TVA intracommunautaire : FR12345678901", "other_number"),
    ],
)
def test_a_tax_row_and_a_tax_identifier_are_told_apart(label: str, role: str) -> None:
    found = match_label(label, ALL_FIELD_LABELS)
    assert found is not None and found[0].role == role
