"""read_document on real invoices: native PDF text, plain text, e-invoices, OCR."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

from schemas.common.documents import DocumentText
from tests.fixtures import hostile_inputs
from vouchflow.documents import ocr
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.reader import PREVIEW_CHARS, read_document
from vouchflow.settings.config import IntakeSettings

CORPUS = Path(
    os.environ.get("VOUCHFLOW_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)
MANIFEST = CORPUS / "manifest.json"
CORPUS_DOCS: list[dict[str, Any]] = (
    json.loads(MANIFEST.read_text())["documents"] if MANIFEST.exists() else []
)
needs_corpus = pytest.mark.skipif(not CORPUS_DOCS, reason=f"corpus not found at {CORPUS}")
needs_ocr = pytest.mark.skipif(
    not ocr.ocr_available(), reason="OCR extra not installed (pip install .[ocr])"
)


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def read(data: bytes, blobs: LocalBlobStore, name: str = "doc", **limits: int) -> DocumentText:
    return read_document(data, filename=name, limits=IntakeSettings(**limits), blobs=blobs)


SUPPORTED_XML_FORMATS = ("CII", "UBL-Invoice", "UBL-CreditNote")


def _corpus_files() -> list[tuple[dict[str, Any], str]]:
    """Every file the manifest lists (the stripped ``.noxml.pdf`` copies included)."""
    out = []
    for doc in CORPUS_DOCS:
        out.append((doc, doc["file"]))
        if doc.get("file_noxml"):
            out.append((doc, doc["file_noxml"]))
    return out


@needs_corpus
@pytest.mark.parametrize("entry", _corpus_files(), ids=lambda e: Path(e[1]).name)
def test_every_corpus_document_is_read(
    entry: tuple[dict[str, Any], str], blobs: LocalBlobStore
) -> None:
    doc, file = entry
    path = CORPUS / file
    result = read(path.read_bytes(), blobs, path.name)
    if path.suffix == ".xml" and doc["format"] not in SUPPORTED_XML_FORMATS:
        # An XML dialect we do not read is refused with a reason, not guessed at.
        assert not result.ok and result.bad_input_code == "unsupported_type"
        assert result.reason and "not a UBL or CII invoice" in result.reason
        return

    assert result.ok, result.reason
    assert result.text_ref is not None
    text = blobs.get_text(result.text_ref.sha256)
    assert result.chars == len(text) > 0
    assert len(result.preview) <= PREVIEW_CHARS
    assert not result.text_truncated
    if path.suffix == ".pdf":
        assert result.method == "pdf_text"
        assert result.pages == doc["text"]["pages"]
        assert result.detected_type == "application/pdf"
        embedded = bool(doc.get("embedded_xml_name")) and file == doc["file"]
        assert (result.einvoice_ref is not None) == embedded
    elif path.suffix == ".xml":
        assert result.method == "einvoice_xml"
        assert result.einvoice_ref is not None
        assert result.einvoice_format == ("CII" if doc["format"] == "CII" else "UBL")
    else:
        assert result.method == "plain_text"
        assert result.einvoice_ref is None
    # Where the ground truth says the invoice number is printed, the text must carry it;
    # an XML-only e-invoice's rendering always carries it.
    visible = doc.get("gt_visible_in_pdf_text") or {}
    shown = visible.get("invoice_number") or path.suffix == ".xml"
    if shown and "invoice_number" in doc["labeled_fields"]:
        squeezed = "".join(text.split())
        assert "".join(doc["ground_truth"]["invoice_number"].split()) in squeezed


@needs_corpus
@pytest.mark.parametrize(
    "doc", [d for d in CORPUS_DOCS if d.get("embedded_xml_name")], ids=lambda d: d["id"]
)
def test_embedded_einvoice_is_stored_beside_the_text(
    doc: dict[str, Any], blobs: LocalBlobStore
) -> None:
    result = read((CORPUS / doc["file"]).read_bytes(), blobs)

    assert result.ok
    assert result.method == "pdf_text"
    assert result.einvoice_ref is not None
    assert result.einvoice_format == ("UBL" if "UBL" in doc["embedded_xml_name"] else "CII")
    xml = blobs.get(result.einvoice_ref.sha256)
    assert xml.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")


@needs_corpus
def test_pdf_without_einvoice_has_no_ref(blobs: LocalBlobStore) -> None:
    result = read((CORPUS / "files" / "invoice2data_coolblue1.pdf").read_bytes(), blobs)
    assert result.ok and result.einvoice_ref is None and result.einvoice_format is None


def test_text_pdf_is_read_natively(blobs: LocalBlobStore) -> None:
    result = read(hostile_inputs.text_pdf(pages=2), blobs)

    assert result.ok and result.method == "pdf_text"
    assert result.pages == 2
    assert result.text_ref is not None
    text = blobs.get_text(result.text_ref.sha256)
    assert text.count("Total due: GBP 54.00") == 2
    assert result.preview.startswith("ACME Office Supplies Ltd Invoice number: INV-2041")


def test_type_comes_from_bytes_not_the_name(blobs: LocalBlobStore) -> None:
    result = read(hostile_inputs.text_pdf(), blobs, name="invoice.txt")
    assert result.ok and result.method == "pdf_text"


def test_pdf_with_empty_open_password_is_read(blobs: LocalBlobStore) -> None:
    result = read(hostile_inputs.encrypted_pdf(user_password=""), blobs)
    assert result.ok and result.method == "pdf_text"
    assert "INV-2041" in result.preview


def test_text_is_cut_at_the_limit_and_recorded(blobs: LocalBlobStore) -> None:
    result = read(hostile_inputs.text_pdf(pages=3), blobs, max_text_chars=100)

    assert result.ok
    assert result.text_truncated
    assert result.chars == 100
    assert any("cut at 100" in note for note in result.notes)


@pytest.mark.parametrize(
    "encoded, charset",
    [
        ("Rechnung Nr. 7 — Summe 54,00 € Grüße".encode(), "utf-8"),
        ("Rechnung Nr. 7 — Summe 54,00 € Grüße".encode("utf-8-sig"), "utf-8-sig"),
        ("Rechnung Nr. 7 — Summe 54,00 € Grüße".encode("utf-16"), "utf-16"),
        ("Rechnung Nr. 7 — Summe 54,00 € Grüße".encode("utf-16-le"), "utf-16-le"),
        ("Rechnung Nr. 7 — Summe 54,00 € Grüße".encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16-no-bom", "cp1252"],
)
def test_plain_text_encodings(encoded: bytes, charset: str, blobs: LocalBlobStore) -> None:
    result = read(encoded, blobs, name="invoice.txt")

    assert result.ok, result.reason
    assert result.method == "plain_text"
    assert result.detected_type == f"text/plain; charset={charset}"
    assert result.text_ref is not None
    assert blobs.get_text(result.text_ref.sha256) == "Rechnung Nr. 7 — Summe 54,00 € Grüße"


def test_latin1_text_is_read(blobs: LocalBlobStore) -> None:
    result = read("Facture n° 12, total 54,00 EUR, échéance été".encode("latin-1"), blobs)
    assert result.ok and result.text_ref is not None
    assert blobs.get_text(result.text_ref.sha256) == "Facture n° 12, total 54,00 EUR, échéance été"


@needs_corpus
def test_standalone_ubl_xml_is_an_einvoice(blobs: LocalBlobStore) -> None:
    from vouchflow.documents.einvoice import extract_embedded_xml

    found = extract_embedded_xml((CORPUS / "files" / "invoice2data_AzureInterior.pdf").read_bytes())
    assert found is not None
    xml = found[1]

    result = read(xml, blobs, name="invoice.xml")

    assert result.ok, result.reason
    assert result.method == "einvoice_xml"
    assert result.einvoice_format == "UBL"
    assert result.einvoice_ref is not None and blobs.get(result.einvoice_ref.sha256) == xml
    assert result.text_ref is not None
    text = blobs.get_text(result.text_ref.sha256)
    assert "Invoice number: INV/2023/03/0008" in text
    assert "Total: 279.84" in text


def test_xml_that_is_not_an_invoice_is_unsupported(blobs: LocalBlobStore) -> None:
    result = read(b"<?xml version='1.0'?><order><id>1</id></order>", blobs)
    assert not result.ok and result.bad_input_code == "unsupported_type"
    assert "order" in (result.reason or "")


def test_image_pdf_carrying_an_einvoice_uses_the_xml(
    blobs: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_einvoice import ZUGFERD1

    writer = PdfWriter(clone_from=io.BytesIO(hostile_inputs.blank_pdf()))
    writer.add_attachment("factur-x.xml", ZUGFERD1)
    out = io.BytesIO()
    writer.write(out)
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)

    result = read(out.getvalue(), blobs)

    assert result.ok, result.reason
    assert result.method == "einvoice_xml"
    assert result.einvoice_format == "CII"
    assert "Invoice number: 471102" in result.preview


# --- OCR (runs only where the `ocr` extra is installed) ---------------------------------


@needs_ocr
def test_scanned_pdf_is_ocrd_and_the_total_found(blobs: LocalBlobStore) -> None:
    result = read(hostile_inputs.image_only_pdf(), blobs, name="scan.pdf")

    assert result.ok, result.reason
    assert result.method == "ocr"
    assert result.pages == 1
    assert result.ocr_confidence is not None and result.ocr_confidence > 0.8
    assert result.text_ref is not None
    text = blobs.get_text(result.text_ref.sha256)
    assert "54.00" in text
    assert "INV-2041" in text


@needs_ocr
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_images_are_ocrd(fmt: str, blobs: LocalBlobStore) -> None:
    result = read(hostile_inputs.image_bytes(fmt), blobs, name=f"photo.{fmt.lower()}")

    assert result.ok, result.reason
    assert result.method == "ocr"
    assert result.detected_type == f"image/{fmt.lower()}"
    assert "54.00" in result.preview


@needs_ocr
def test_blank_scan_has_no_text(blobs: LocalBlobStore) -> None:
    result = read(hostile_inputs.blank_pdf(), blobs)
    assert not result.ok and result.bad_input_code == "no_text"


def test_scan_without_ocr_says_how_to_install_it(
    blobs: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)

    result = read(hostile_inputs.image_only_pdf(), blobs)

    assert not result.ok
    assert result.bad_input_code == "ocr_not_installed"
    assert "OCR not installed (pip install .[ocr])" in (result.reason or "")
    assert result.pages == 1


def test_image_without_ocr_says_how_to_install_it(
    blobs: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)

    result = read(hostile_inputs.image_bytes("PNG"), blobs)

    assert not result.ok
    assert result.bad_input_code == "ocr_not_installed"
    assert result.reason == "OCR not installed (pip install .[ocr])"


def test_ocr_disabled_is_no_text(blobs: LocalBlobStore) -> None:
    result = read_document(
        hostile_inputs.image_bytes("PNG"),
        filename="photo.png",
        limits=IntakeSettings(),
        blobs=blobs,
        ocr_enabled=False,
    )
    assert not result.ok and result.bad_input_code == "no_text"
