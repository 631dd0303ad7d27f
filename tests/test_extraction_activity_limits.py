"""The extraction activity on documents at and past the limits: cut text, an unreadable
e-invoice, 20,000-line e-invoices (Temporal's 2 MB payload limit), a page that says
something else than its XML, and text outside the Basic Multilingual Plane."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import ActivityEnvironment

from activities.common.deps import ActivityDeps, build_deps
from activities.invoice.extraction import MAX_LINES_IN_RESULT, ExtractionActivities
from schemas.common.documents import DocumentText
from schemas.invoice.extraction import ExtractionResult
from schemas.invoice.workflow import ExtractFieldsInput
from tests.conftest import make_settings
from tests.fixtures.einvoices import cii_xml, facturx_pdf, ubl_xml
from tests.fixtures.hostile_inputs import to_unicode_pdf
from vouchflow.documents.reader import read_document
from vouchflow.settings import Settings
from vouchflow.settings.config import IntakeSettings

TEMPORAL_PAYLOAD_LIMIT = 2 * 1024 * 1024
LINES = 20_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture
def deps(settings: Settings) -> ActivityDeps:
    return build_deps(settings)


def _read(deps: ActivityDeps, data: bytes, name: str, **limits: int) -> DocumentText:
    intake = IntakeSettings(**{"max_file_bytes": 40_000_000, **limits})
    doc = read_document(data, filename=name, limits=intake, blobs=deps.blobs)
    assert doc.ok, doc.reason
    return doc


async def _extract(
    deps: ActivityDeps, settings: Settings, doc: DocumentText, provider: str
) -> ExtractionResult:
    request = ExtractFieldsInput(
        workflow_id="wf-limits",
        document=doc,
        filename="doc",
        provider=provider,
    )
    result: ExtractionResult = await ActivityEnvironment().run(
        ExtractionActivities(deps).extract_invoice_fields, request
    )
    return result


def _payload_bytes(value: object) -> int:
    return sum(p.ByteSize() for p in pydantic_data_converter.payload_converter.to_payloads([value]))


# --- 3. truncation, fallback, big e-invoices -------------------------------------------------


async def test_cut_text_is_an_error_saying_how_much_was_read(
    deps: ActivityDeps, settings: Settings
) -> None:
    # The amount before the cut looks like a total; the real one is after it.
    text = "\n".join(
        [
            "Acme Widgets Ltd",
            "Invoice number: INV-5512",
            "Invoice date: 12/03/2024",
            "Total carried forward: £1.00",
            *(f"Widget batch {i}    1    £10.00    £10.00" for i in range(400)),
            "Total: £4,001.00",
        ]
    )
    doc = _read(deps, text.encode(), "long.txt", max_text_chars=2_000)
    assert doc.text_truncated and doc.full_chars == len(text)

    result = await _extract(deps, settings, doc, "rules")

    cut = [p for p in result.problems if p.code == "text.truncated"]
    assert len(cut) == 1 and cut[0].severity == "error"
    assert f"read 2,000 of {len(text):,} characters" in cut[0].message
    assert result.text_truncated


async def test_cut_pdf_says_which_pages_were_read(deps: ActivityDeps, settings: Settings) -> None:
    from tests.fixtures.hostile_inputs import text_pdf

    doc = _read(deps, text_pdf(pages=3), "three.pdf", max_text_chars=100)
    result = await _extract(deps, settings, doc, "rules")

    cut = next(p for p in result.problems if p.code == "text.truncated")
    assert "of 3 pages" in cut.message and cut.severity == "error"


async def test_uncut_text_has_no_truncation_problem(deps: ActivityDeps, settings: Settings) -> None:
    doc = _read(deps, b"Acme Ltd\nInvoice number: A-1\nTotal: \xc2\xa310.00\n", "short.txt")
    result = await _extract(deps, settings, doc, "rules")
    assert not [p for p in result.problems if p.code == "text.truncated"]
    assert result.invoice.total_minor == 1000


async def test_unreadable_einvoice_falls_back_to_the_page_with_an_error(
    deps: ActivityDeps, settings: Settings
) -> None:
    page = _read(deps, b"Acme Ltd\nInvoice number: A-1\nTotal: EUR 10.00\n", "page.txt")
    broken = deps.blobs.put(b"<rsm:CrossIndustryInvoice><unclosed>", "application/xml")
    doc = page.model_copy(update={"einvoice_ref": broken, "einvoice_format": "CII"})

    result = await _extract(deps, settings, doc, "einvoice")

    fallback = [p for p in result.problems if p.code == "einvoice.fallback"]
    assert len(fallback) == 1 and fallback[0].severity == "error"
    assert "not well-formed" in fallback[0].message
    assert result.extractor.kind == "rules"
    assert result.invoice.total_minor == 1000


def _pdf_with_attachment(name: str, payload: bytes) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    from tests.fixtures.hostile_inputs import text_pdf

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(text_pdf())).pages:
        writer.add_page(page)
    writer.add_attachment(name, payload)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def test_pdf_with_a_broken_einvoice_attachment_reports_the_fallback(
    deps: ActivityDeps, settings: Settings
) -> None:
    pdf = _pdf_with_attachment("factur-x.xml", b"<rsm:CrossIndustryInvoice><broken")
    doc = _read(deps, pdf, "broken-xml.pdf")
    assert doc.einvoice_ref is None
    assert doc.einvoice_error and "factur-x.xml" in doc.einvoice_error

    result = await _extract(deps, settings, doc, "rules")

    fallback = [p for p in result.problems if p.code == "einvoice.fallback"]
    assert len(fallback) == 1 and fallback[0].severity == "error"
    assert "not well-formed" in fallback[0].message
    assert result.invoice.total_minor == 5400


async def test_other_xml_attachments_are_not_an_einvoice_fallback(
    deps: ActivityDeps, settings: Settings
) -> None:
    doc = _read(deps, _pdf_with_attachment("notes.xml", b"<broken"), "notes.pdf")
    assert doc.einvoice_error is None
    result = await _extract(deps, settings, doc, "rules")
    assert not [p for p in result.problems if p.code == "einvoice.fallback"]


async def test_text_extraction_of_a_document_with_xml_is_a_fallback(
    deps: ActivityDeps, settings: Settings
) -> None:
    # The workflow reads the XML first; a text provider runs only after that failed
    # (for instance the activity timed out), and the result must say so.
    pdf = facturx_pdf(_page("Lieferant GmbH", "EUR "), cii_xml())
    doc = _read(deps, pdf, "with-xml.pdf")
    assert doc.einvoice_ref is not None

    result = await _extract(deps, settings, doc, "rules")

    assert [p.code for p in result.problems if p.code == "einvoice.fallback"] == [
        "einvoice.fallback"
    ]


@pytest.mark.parametrize("build", [cii_xml, ubl_xml], ids=["CII", "UBL"])
async def test_twenty_thousand_line_einvoice_stays_far_below_the_payload_limit(
    deps: ActivityDeps, settings: Settings, build: object
) -> None:
    assert callable(build)
    xml = build(lines=LINES, line_total="100.00", rate="20")
    doc = _read(deps, xml, "big.xml")

    result = await _extract(deps, settings, doc, "einvoice")

    size = _payload_bytes(result)
    assert size < TEMPORAL_PAYLOAD_LIMIT // 8, size
    # The totals are the XML's own totals, never a sum of carried lines or a text reading.
    inv = result.invoice
    assert (inv.subtotal_minor, inv.tax_total_minor, inv.total_minor) == (
        200_000_000,
        40_000_000,
        240_000_000,
    )
    assert result.extractor.kind == "einvoice"
    assert len(inv.line_items) == MAX_LINES_IN_RESULT
    capped = [p for p in result.problems if p.code == "line_items.truncated"]
    assert len(capped) == 1 and f"{LINES:,} line items" in capped[0].message
    assert not [p for p in result.problems if p.code in ("text.truncated", "einvoice.fallback")]
    # Every line is kept in the blob store.
    assert result.full_result_ref is not None
    full = ExtractionResult.model_validate_json(deps.blobs.get(result.full_result_ref.sha256))
    assert len(full.invoice.line_items) == LINES
    assert full.invoice.total_minor == 240_000_000


# --- 4. the e-invoice XML against the visible page ------------------------------------------


def _page(supplier: str, currency_mark: str, number: str = "CII-1001") -> list[str]:
    return [
        supplier,
        "Rechnung / Invoice",
        f"Invoice number: {number}",
        "Invoice date: 15/01/2024",
        "Due date: 14/02/2024",
        f"Item 1    1    {currency_mark}100.00    {currency_mark}100.00",
        f"Subtotal: {currency_mark}100.00",
        f"VAT 20%: {currency_mark}20.00",
        f"Total: {currency_mark}120.00",
    ]


async def test_page_matching_its_xml_has_no_mismatch(
    deps: ActivityDeps, settings: Settings
) -> None:
    pdf = facturx_pdf(_page("Lieferant GmbH", "EUR "), cii_xml())
    doc = _read(deps, pdf, "match.pdf")
    result = await _extract(deps, settings, doc, "einvoice")

    assert result.extractor.kind == "einvoice"
    assert not [p for p in result.problems if p.code == "einvoice.page_mismatch"]
    assert result.agreement == 1.0


@pytest.mark.parametrize(
    ("page", "fields"),
    [
        (_page("Lieferant GmbH", "$"), {"currency"}),
        (_page("Totally Different Trading Ltd", "EUR "), {"supplier_name"}),
        (_page("Totally Different Trading Ltd", "$"), {"supplier_name", "currency"}),
        (_page("Lieferant GmbH", "EUR ", number="XZ-9999"), {"invoice_number"}),
    ],
)
async def test_page_disagreeing_with_its_xml_is_a_problem_per_field(
    deps: ActivityDeps, settings: Settings, page: list[str], fields: set[str]
) -> None:
    pdf = facturx_pdf(page, cii_xml())
    doc = _read(deps, pdf, "mismatch.pdf")
    result = await _extract(deps, settings, doc, "einvoice")

    found = [p for p in result.problems if p.code == "einvoice.page_mismatch"]
    assert {p.field for p in found} == fields
    for p in found:
        assert p.severity == "error"
        assert "the e-invoice XML says" in p.message and "the page shows" in p.message
    if "currency" in fields:
        currency = next(p for p in found if p.field == "currency")
        assert "'EUR'" in currency.message and "'USD'" in currency.message
    assert set(result.disagreeing_fields) == fields


@pytest.mark.parametrize(
    ("xml_kwargs", "field"),
    [
        ({"issue": "20240116"}, "issue_date"),
        ({"due": "20240301"}, "due_date"),
        ({"total": "130.00"}, "total_minor"),
        ({"tax": "25.00", "total": "125.00"}, "tax_total_minor"),
    ],
)
async def test_dates_and_amounts_are_compared_too(
    deps: ActivityDeps, settings: Settings, xml_kwargs: dict[str, str], field: str
) -> None:
    pdf = facturx_pdf(_page("Lieferant GmbH", "EUR "), cii_xml(**xml_kwargs))  # type: ignore[arg-type]
    doc = _read(deps, pdf, "dates.pdf")
    result = await _extract(deps, settings, doc, "einvoice")
    found = {p.field for p in result.problems if p.code == "einvoice.page_mismatch"}
    assert field in found


# --- 8. characters outside the Basic Multilingual Plane, lone surrogates --------------------


ASTRAL_MAP = {0x80: "D83DDE00", 0x81: "D800", 0x82: "D835DC00", 0x83: "DFFF"}


async def test_astral_characters_and_lone_surrogates_survive_every_sink(
    deps: ActivityDeps, settings: Settings, tmp_path: Path
) -> None:
    pdf = to_unicode_pdf(
        [
            b"Acme Emoji Ltd \x80",
            b"Invoice number: INV-\x82-77",
            b"Invoice date: 12/03/2024",
            b"Broken glyphs \x81 and \x83 here",
            b"Total: EUR 54.00",
        ],
        ASTRAL_MAP,
    )
    doc = _read(deps, pdf, "emoji-\udcff.pdf")
    assert doc.method == "pdf_text"
    assert doc.text_ref is not None
    text = deps.blobs.get_text(doc.text_ref.sha256)
    assert "\U0001f600" in text and "\U0001d400" in text  # valid astral characters kept
    assert "\ufffd" in text  # lone halves replaced
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)

    result = await _extract(deps, settings, doc, "rules")
    assert result.invoice.total_minor == 5400
    # JSON, Temporal payloads, SQLite and logs all take it.
    dumped = result.model_dump_json()
    dumped.encode("utf-8")
    json.dumps(result.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
    assert _payload_bytes(result) > 0
    with sqlite3.connect(tmp_path / "t.db") as db:
        db.execute("create table t (v text)")
        db.execute("insert into t values (?)", (dumped,))
    assert "\U0001f600" in dumped


def test_lone_surrogates_in_plain_strings_are_stored(deps: ActivityDeps) -> None:
    ref = deps.blobs.put_text("a\ud800b\ud83d\ude00c")
    assert deps.blobs.get_text(ref.sha256) == "a\ufffdb\U0001f600c"


def test_model_output_with_escaped_lone_surrogates_is_cleaned() -> None:
    from vouchflow.llm.output import parse_output

    raw = json.dumps(
        {
            "invoice_likelihood": 0.9,
            "supplier_name": "Acme \ud800 \U0001f600",
            "invoice_number": "A-1",
            "issue_date": "2024-03-12",
            "due_date": None,
            "currency": "EUR",
            "subtotal_minor": 100,
            "tax_total_minor": 20,
            "total_minor": 120,
            "amounts_tax_inclusive": False,
            "supplier_vat_id": None,
            "buyer_name": None,
            "line_items": [],
            "evidence": [{"field": "supplier_name", "source_text": "\udfff", "certainty": 0.9}],
        }
    )
    parsed, errors = parse_output(raw)
    assert errors == [] and parsed is not None
    assert parsed.invoice.supplier_name == "Acme \ufffd \U0001f600"
    assert parsed.evidence[0].source_text == "\ufffd"
    parsed.model_dump_json().encode("utf-8")
