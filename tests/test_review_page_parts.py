"""The review page's parts without Temporal: evidence boxes on real PDF word layouts and
text grids, the correction form (money in, corrections out, the workflow's own rule as
the check), the checks passed and failed, the reason kinds the queue filters by, and
page rendering."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image

from schemas.common.documents import DocumentText
from schemas.invoice.assessment import Finding
from schemas.invoice.invoice import Invoice, LineItem
from schemas.triage.classification import TicketClassification
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.layout import Layout, text_layout
from vouchflow.documents.reader import read_document
from vouchflow.gateway.review_checks import check_rows
from vouchflow.gateway.review_document import build_view, text_rows
from vouchflow.gateway.review_evidence import Box, highlights, without_positions
from vouchflow.gateway.review_form import (
    field_label,
    form_values,
    money_text,
    parse_form,
    parse_money,
)
from vouchflow.gateway.review_queue import QueueItem, counts, filter_items
from vouchflow.gateway.review_reasons import REASON_KINDS, reason_kind
from vouchflow.gateway.review_render import MAX_PIXELS, PageNotRenderable, render_page
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.settings.config import IntakeSettings
from vouchflow.triage.rules import needs_review
from vouchflow.triage.settings import RoutingSettings

SAMPLES = resources.files("vouchflow.samples") / "invoices"


def _read(name: str, tmp_path: Path) -> tuple[bytes, DocumentText, str, Layout | None]:
    blobs = LocalBlobStore(tmp_path / "blobs")
    data = (SAMPLES / name).read_bytes()
    doc = read_document(data, filename=name, limits=IntakeSettings(), blobs=blobs)
    assert doc.ok and doc.text_ref is not None
    text = blobs.get_text(doc.text_ref.sha256)
    layout = Layout.from_bytes(blobs.get(doc.layout_ref.sha256)) if doc.layout_ref else None
    return data, doc, text, layout


# ---- evidence boxes ---------------------------------------------------------------------


def test_pdf_evidence_boxes_cover_the_printed_values(tmp_path: Path) -> None:
    _, _, text, layout = _read("02_above_limit.pdf", tmp_path)
    assert layout is not None and layout.source == "pdf"
    result = extract_with_rules(text, layout=layout)
    found = highlights(result.evidence, layout)
    words = {(w.text, round(w.top)): w for _, w in layout.words()}

    def box_of(field: str) -> Box:
        boxes = [h.box for h in found if field in h.fields]
        assert len(boxes) == 1, (field, found)
        return boxes[0]

    # The invoice number's box is exactly the printed "NW-88213".
    number = box_of("invoice_number")
    printed = next(w for (t, _), w in words.items() if t == "NW-88213")
    assert (number.x0, number.top, number.x1, number.bottom) == (
        printed.x0,
        printed.top,
        printed.x1,
        printed.bottom,
    )
    # The total's box holds the printed gross amount, and nothing of the VAT row above it.
    total = box_of("total_minor")
    inside = [
        w.text
        for _, w in layout.words()
        if w.x0 >= total.x0 - 0.1
        and w.x1 <= total.x1 + 0.1
        and w.top >= total.top - 0.1
        and w.bottom <= total.bottom + 0.1
    ]
    assert inside == ["£8,217.60"]
    # A table row quoted by the line reader (no position) is found by its text: one box
    # for all five fields of the line (and the currency, read from its amounts).
    row = [h for h in found if "line_items[0].description" in h.fields]
    assert len(row) == 1
    assert {f for f in row[0].fields if f.startswith("line_items[0].")} == {
        f"line_items[0].{name}"
        for name in ("description", "quantity", "unit_price_minor", "tax_rate", "line_total_minor")
    }
    assert "currency" in row[0].fields
    assert row[0].box.x1 - row[0].box.x0 > 300  # the whole row, description to total


def test_text_evidence_boxes_sit_on_the_character_grid(tmp_path: Path) -> None:
    _, doc, text, layout = _read("09_plain_text.txt", tmp_path)
    assert layout is None  # text files derive their grid from the text
    result = extract_with_rules(text)
    view = build_view(doc, result.evidence, text=text, layout=None)
    assert view.text and not view.pictures
    rows = view.text[0].rows
    marks = {m.number: m for m in view.text[0].marks}
    (number,) = view.marks_by_field["invoice_number"]
    mark = marks[number]
    shown = rows[int(mark.top)][int(mark.left) : int(mark.left + mark.width)]
    assert shown == "Invoice No: ACME-2026-0198"
    (total,) = view.marks_by_field["total_minor"]
    mark = marks[total]
    assert rows[int(mark.top)][int(mark.left) : int(mark.left + mark.width)] == "£68.04"


def test_text_rows_match_the_extractors_grid() -> None:
    text = "\n\nACME\tLtd  \u202eevil\nInvoice No: 7\f\nPage two  total 5\n"
    rows = text_rows(text)
    for page, word in text_layout(text).words():
        row, col = round(word.top / 12), round(word.x0 / 6)
        shown = rows[page][row][col : col + len(word.text)]
        # Same columns; only the bidi override is shown as a replacement character.
        assert shown == word.text.replace("\u202e", "\ufffd"), (word, shown)
    assert "\u202e" not in "".join(r for page in rows for r in page)


def test_pdf_view_places_marks_in_percent_of_the_page(tmp_path: Path) -> None:
    _, doc, text, layout = _read("02_above_limit.pdf", tmp_path)
    assert layout is not None
    result = extract_with_rules(text, layout=layout)
    view = build_view(doc, result.evidence, text=text, layout=layout)
    assert [p.number for p in view.pictures] == [0] and not view.text
    page = layout.pages[0]
    (n,) = view.marks_by_field["invoice_number"]
    mark = next(m for m in view.pictures[0].marks if m.number == n)
    word = next(w for _, w in layout.words() if w.text == "NW-88213")
    assert mark.left == pytest.approx((word.x0 - 1.5) / page.width * 100)
    assert mark.top == pytest.approx((word.top - 1.5) / page.height * 100)
    assert 0 < mark.width < 20 and 0 < mark.height < 5


def test_evidence_reads_without_coordinates() -> None:
    assert without_positions("Invoice No: NW-1 (page 1 at x 145-192, y 140)") == "Invoice No: NW-1"
    assert (
        without_positions("Acme Ltd (letterhead, bold type; page 2 at x 31-222, y 33)")
        == "Acme Ltd (letterhead, bold type)"
    )
    assert (
        without_positions("Total £8.00 (page 1 at x 491-536, y 366); net + tax = gross")
        == "Total £8.00; net + tax = gross"
    )
    assert without_positions(None) == ""


def test_unreadable_document_is_said_not_shown() -> None:
    bad = DocumentText(ok=False, bad_input_code="corrupt_pdf", reason="truncated")
    view = build_view(bad, [], text=None, layout=None)
    assert view.unavailable and not view.pictures and not view.text


# ---- page pictures ----------------------------------------------------------------------


def test_a_pdf_page_renders_as_a_bounded_png(tmp_path: Path) -> None:
    data = (SAMPLES / "02_above_limit.pdf").read_bytes()
    png = render_page(data, "application/pdf", 0)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 1200
    assert image.width * image.height <= MAX_PIXELS
    # The page is drawn, not blank: plenty of dark pixels (text).
    dark = sum(1 for p in image.convert("L").tobytes() if p < 100)
    assert dark > 2000
    with pytest.raises(PageNotRenderable):
        render_page(data, "application/pdf", 1)
    with pytest.raises(PageNotRenderable):
        render_page(b"plain", "text/plain", 0)


def test_a_huge_page_is_scaled_down_to_the_pixel_cap() -> None:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(14_000, 14_000))  # 5 m square
    pdf.add_page()
    png = render_page(bytes(pdf.output()), "application/pdf", 0)
    image = Image.open(io.BytesIO(png))
    assert image.width * image.height <= MAX_PIXELS * 1.01


# ---- the correction form ----------------------------------------------------------------

INVOICE = Invoice(
    supplier_name="Northwind Stationery Ltd",
    invoice_number="NW-88213",
    issue_date=dt.date(2026, 5, 2),
    due_date=dt.date(2026, 6, 1),
    currency="GBP",
    subtotal_minor=684800,
    tax_total_minor=136960,
    total_minor=821760,
    line_items=[
        LineItem(
            description="Ergonomic office chair",
            quantity=Decimal(12),
            unit_price_minor=38900,
            tax_rate=Decimal(20),
            line_total_minor=466800,
        )
    ],
)


def test_money_is_typed_as_money_never_minor_units() -> None:
    assert money_text(821760, "GBP") == "8217.60"
    assert money_text(-5, "EUR") == "-0.05"
    assert money_text(1500, "JPY") == "1500"
    assert parse_money("8,217.60", "GBP", "Total") == 821760
    assert parse_money("8217.6", "GBP", "Total") == 821760
    assert parse_money(" ", "GBP", "Total") is None
    with pytest.raises(ValueError, match="at most 2 decimals"):
        parse_money("1.005", "GBP", "Total")
    with pytest.raises(ValueError, match="no decimals"):
        parse_money("1.5", "JPY", "Total")
    with pytest.raises(ValueError, match="not an amount"):
        parse_money("12.3.4", "GBP", "Total")
    with pytest.raises(ValueError, match="out of range"):
        parse_money("9" * 30, "GBP", "Total")


def test_an_untouched_form_sends_no_corrections() -> None:
    parsed = parse_form(form_values(INVOICE), INVOICE, INVOICE)
    assert parsed.corrections is None and parsed.errors == []
    # Neither does a form without the fields (only what a person edits is sent).
    assert parse_form({"form_token": "x"}, INVOICE, INVOICE).corrections is None


def test_edited_fields_become_corrections_in_minor_units() -> None:
    form = form_values(INVOICE) | {
        "total_minor": "8,000.00",
        "invoice_number": "NW-88214",
        "due_date": "2026-06-15",
    }
    parsed = parse_form(form, INVOICE, INVOICE)
    assert parsed.errors == []
    assert parsed.corrections == {
        "total_minor": 800000,
        "invoice_number": "NW-88214",
        "due_date": "2026-06-15",
    }


def test_an_edited_line_sends_every_line_and_a_new_row_adds_one() -> None:
    form = form_values(INVOICE) | {
        "line-0-quantity": "10",
        "line-1-description": "Delivery",
        "line-1-line_total_minor": "25.00",
    }
    parsed = parse_form(form, INVOICE, INVOICE)
    assert parsed.errors == []
    assert parsed.corrections == {
        "line_items": [
            {
                "description": "Ergonomic office chair",
                "quantity": "10",
                "unit_price_minor": 38900,
                "tax_rate": "20",
                "line_total_minor": 466800,
            },
            {
                "description": "Delivery",
                "quantity": None,
                "unit_price_minor": None,
                "tax_rate": None,
                "line_total_minor": 2500,
            },
        ]
    }
    removed = parse_form(form_values(INVOICE) | {"line-0-remove": "1"}, INVOICE, INVOICE)
    assert removed.corrections == {"line_items": []}


def test_an_invoice_nobody_could_read_is_keyed_in_line_by_line() -> None:
    empty = Invoice()
    form = {
        "supplier_name": "Scan Ltd",
        "currency": "EUR",
        "total_minor": "36.00",
        "line-0-description": "Paper",
        "line-0-line_total_minor": "12.00",
        "line-1-description": "Toner",
        "line-1-line_total_minor": "24.00",
        "line-2-description": "",
    }
    parsed = parse_form(form, empty, empty)
    assert parsed.errors == []
    assert parsed.corrections is not None
    assert parsed.corrections["total_minor"] == 3600
    assert [line["line_total_minor"] for line in parsed.corrections["line_items"]] == [1200, 2400]


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    form = form_values(INVOICE) | {"total_minor": "lots", "line-0-quantity": "a dozen"}
    parsed = parse_form(form, INVOICE, INVOICE)
    assert parsed.corrections is None
    assert any("Total" in e and "not an amount" in e for e in parsed.errors)
    assert any("line 1 quantity" in e for e in parsed.errors)
    # The workflow's own rule runs too: a negative total on an invoice is refused with
    # what to do, and so is an amount above the configured cap.
    negative = parse_form(form_values(INVOICE) | {"total_minor": "-5.00"}, INVOICE, INVOICE)
    assert negative.corrections is None and "credit_note" in negative.errors[0]
    capped = parse_form(
        form_values(INVOICE) | {"total_minor": "2,000,000.00"},
        INVOICE,
        INVOICE,
        max_amount_minor=100_000_000,
    )
    assert capped.corrections is None and "out of range" in capped.errors[0]


def test_a_changed_currency_rereads_the_amounts() -> None:
    same_exponent = parse_form(form_values(INVOICE) | {"currency": "EUR"}, INVOICE, INVOICE)
    assert same_exponent.corrections == {"currency": "EUR"}
    no_decimals = parse_form(form_values(INVOICE) | {"currency": "JPY"}, INVOICE, INVOICE)
    assert no_decimals.corrections is None
    assert any("JPY amounts have no decimals" in e for e in no_decimals.errors)


def test_field_labels_read_like_the_page() -> None:
    assert field_label("total_minor") == "Total"
    assert field_label("line_items[1].unit_price_minor") == "Line 2 unit price"


# ---- checks -----------------------------------------------------------------------------


def test_checks_list_what_passed_and_what_failed() -> None:
    findings = [
        Finding(code="arithmetic.total_mismatch", severity="error", message="total differs"),
        Finding(code="arithmetic.subtotal_recomputed", severity="info", message="recomputed"),
        Finding(code="date.due_too_far", severity="warning", message="due far away"),
        Finding(code="brand.new_check", severity="error", message="something new"),
    ]
    rows = {r.name: r for r in check_rows(findings)}
    assert rows["Arithmetic"].outcome == "failed" and len(rows["Arithmetic"].findings) == 2
    assert rows["Dates"].outcome == "warning"
    assert rows["Currency"].outcome == "passed" and rows["Currency"].passed_text
    assert rows["Other"].outcome == "failed"
    assert all(r.outcome == "passed" for r in check_rows([]))


# ---- reasons ----------------------------------------------------------------------------


def test_the_rules_own_reasons_have_kinds(tmp_path: Path) -> None:
    """Reasons produced by the routing rules themselves map to a kind (a reworded rule
    fails here instead of turning into 'other' in the queue's filter)."""
    from vouchflow.invoice.rules.assess import assess
    from vouchflow.settings import load_settings

    policy = load_settings(env={"VOUCHFLOW_HOME": str(tmp_path)}).invoice_policy()
    seen: set[str] = set()
    for sample in (
        "02_above_limit.pdf",
        "03_arithmetic_mismatch.pdf",
        "04_missing_invoice_number.pdf",
        "07_hostile_injection.pdf",
    ):
        _, _, text, layout = _read(sample, tmp_path)
        result = extract_with_rules(text, layout=layout)
        assessment = assess(
            result,
            duplicates=[],
            today=dt.date(2026, 5, 10),
            settings=policy,
            text_method="pdf_text",
        )
        reasons = assessment.decision.reasons
        assert reasons and all(reason_kind(r) != "other" for r in reasons), (sample, reasons)
        seen |= {reason_kind(r) for r in reasons}
    assert {"amount_limit", "validation", "injection"} <= seen, seen
    low = TicketClassification(category="bug", urgency="low", confidence=0.3, reason="unsure")
    ticket_reasons = needs_review(
        low,
        RoutingSettings(),
        failed_closed=True,
        injection_flags=["ignore previous instructions"],
        context_problem="timeout",
    )
    kinds = [reason_kind(r) for r in ticket_reasons]
    assert kinds == ["customer_context", "no_valid_output", "low_confidence", "injection"]
    assert set(kinds) <= set(REASON_KINDS)


# ---- the queue's filters ----------------------------------------------------------------


def _item(wid: str, workflow: str, kinds: list[str]) -> QueueItem:
    return QueueItem(wid, workflow, wid, "", [], kinds, None)  # type: ignore[arg-type]


def test_filters_narrow_by_workflow_and_reason_and_ignore_unknown_values() -> None:
    items = [
        _item("invoice-a", "invoice", ["amount_limit"]),
        _item("invoice-b", "invoice", ["unknown_supplier", "amount_limit"]),
        _item("triage-c", "ticket", ["low_confidence"]),
    ]
    assert [i.workflow_id for i in filter_items(items, "ticket", None)] == ["triage-c"]
    assert [i.workflow_id for i in filter_items(items, None, "unknown_supplier")] == ["invoice-b"]
    assert filter_items(items, "ticket", "amount_limit") == []
    assert len(filter_items(items, "nonsense' OR 1=1", "also nonsense")) == 3
    by_workflow, by_reason = counts(items)
    assert by_workflow == {"invoice": 2, "ticket": 1}
    assert by_reason == {"amount_limit": 2, "unknown_supplier": 1, "low_confidence": 1}
    assert list(by_reason) == [k for k in REASON_KINDS if k in by_reason]


# ---- rendering untrusted text -----------------------------------------------------------


def test_document_text_is_shown_inert_and_as_read() -> None:
    """A supplier name, reason or document row carrying markup, bidi overrides or line
    separators is printed escaped, without the invisible characters, on one line."""
    from schemas.invoice.assessment import Assessment, Confidence, RouteDecision
    from schemas.invoice.events import InvoiceReceivedV1
    from schemas.invoice.workflow import InvoiceState
    from vouchflow.gateway.review_document import DocumentView, TextPage
    from vouchflow.gateway.review_pages import invoice_page

    hostile = "ACME\u202eLTD <script>alert(1)</script>\u2028Status: approved"
    invoice = INVOICE.model_copy(update={"supplier_name": hostile})
    state = InvoiceState(
        workflow_id="invoice-" + "a" * 32,
        status="awaiting_approval",
        status_reason=hostile,
        event=InvoiceReceivedV1(
            event_id="e1",
            filename="<b>x</b>.pdf",
            document_sha256="a" * 64,
            size_bytes=1,
            received_at=dt.datetime(2026, 5, 2, tzinfo=dt.UTC),
        ),
        assessment=Assessment(
            invoice=invoice,
            findings=[Finding(code="identifier.x", severity="error", message=hostile)],
            confidence=Confidence(score=50, signals=[]),
            decision=RouteDecision(route="review", reasons=[hostile]),
        ),
    )
    doc = DocumentView(text=[TextPage(rows=[text_rows(hostile)[0][0]])])
    page = bytes(
        invoice_page(
            state, reviewer="alice", token="0" * 64, note=hostile, doc=doc, evidence=[]
        ).body
    ).decode()
    assert "<script>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "\u2028" not in page
    # The amounts are money, never minor units.
    assert "GBP 8,217.60" in page and "821760" not in page
    assert 'value="8217.60"' in page
