"""Hostile and broken inputs end in a clear bad-input code, never an exception."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from schemas.common.documents import DocumentText
from tests.fixtures import hostile_inputs as hostile
from vouchflow.documents.blobs import LocalBlobStore
from vouchflow.documents.reader import read_document
from vouchflow.settings.config import IntakeSettings


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def read(data: bytes, blobs: LocalBlobStore, name: str = "upload", **limits: int) -> DocumentText:
    return read_document(data, filename=name, limits=IntakeSettings(**limits), blobs=blobs)


def assert_rejected(result: DocumentText, code: str, blobs: LocalBlobStore) -> None:
    assert not result.ok
    assert result.bad_input_code == code, result.reason
    assert result.reason
    assert result.text_ref is None
    assert result.method == "none"
    # A rejected document stores no derived text.
    stored = [p for p in blobs.root.rglob("*") if p.is_file()] if blobs.root.exists() else []
    assert stored == []


def test_empty_file(blobs: LocalBlobStore) -> None:
    result = read(b"", blobs, name="invoice.pdf")
    assert_rejected(result, "empty_file", blobs)
    assert "invoice.pdf" in (result.reason or "")


def test_too_large_is_checked_before_parsing(blobs: LocalBlobStore) -> None:
    # A decompression bomb just over the size limit: rejected for size, so fast.
    bomb = hostile.bomb_pdf(inflated_bytes=20_000_000)
    result = read(bomb, blobs, max_file_bytes=len(bomb) - 1)
    assert_rejected(result, "too_large", blobs)
    assert f"{len(bomb):,} bytes" in (result.reason or "")
    assert result.detected_type is None  # rejected before even the type was sniffed


def test_file_at_the_size_limit_is_accepted(blobs: LocalBlobStore) -> None:
    pdf = hostile.text_pdf()
    assert read(pdf, blobs, max_file_bytes=len(pdf)).ok


@pytest.mark.parametrize(
    "data, name, media",
    [
        (hostile.docx_bytes(), "invoice.docx", "application/zip"),
        (hostile.exe_bytes(), "invoice.pdf", "application/octet-stream"),
        (hostile.random_binary(), "invoice.pdf", "application/octet-stream"),
        (b"<!DOCTYPE html><html><body>Invoice</body></html>", "invoice.html", "text/html"),
        (b"GIF89a" + b"\x00" * 100, "invoice.gif", "image/*"),
    ],
    ids=["docx-zip", "exe-renamed-pdf", "random-binary", "html", "gif"],
)
def test_unsupported_types_by_magic_bytes(
    data: bytes, name: str, media: str, blobs: LocalBlobStore
) -> None:
    result = read(data, blobs, name=name)
    assert_rejected(result, "unsupported_type", blobs)
    assert result.detected_type == media


@pytest.mark.parametrize(
    "data",
    [hostile.truncated_pdf(), hostile.garbage_pdf(), b"%PDF-1.4\n%%EOF\n"],
    ids=["truncated", "garbage-body", "header-only"],
)
def test_corrupt_pdf(data: bytes, blobs: LocalBlobStore) -> None:
    assert_rejected(read(data, blobs), "corrupt_pdf", blobs)


def test_encrypted_pdf_without_password(blobs: LocalBlobStore) -> None:
    result = read(hostile.encrypted_pdf(), blobs)
    assert_rejected(result, "encrypted_pdf", blobs)
    assert "password" in (result.reason or "")


def test_too_many_pages_is_checked_before_extraction(blobs: LocalBlobStore) -> None:
    result = read(hostile.many_pages_pdf(5000), blobs)
    assert_rejected(result, "too_many_pages", blobs)
    assert result.pages == 5000
    assert "5,000 pages" in (result.reason or "")


def test_declared_page_count_is_trusted_for_rejection(blobs: LocalBlobStore) -> None:
    result = read(hostile.lying_page_count_pdf(1_000_000), blobs)
    assert_rejected(result, "too_many_pages", blobs)


def test_pages_at_the_limit_are_read(blobs: LocalBlobStore) -> None:
    result = read(hostile.text_pdf(pages=3), blobs, max_pages=3)
    assert result.ok and result.pages == 3


def test_decompression_bomb(blobs: LocalBlobStore) -> None:
    bomb = hostile.bomb_pdf()  # ~100 MB of content from a ~100 KB file
    assert len(bomb) < 1_000_000
    result = read(bomb, blobs)
    assert_rejected(result, "decompression_bomb", blobs)


def test_decompression_bomb_inside_a_form_xobject(blobs: LocalBlobStore) -> None:
    assert_rejected(read(hostile.bomb_xobject_pdf(), blobs), "decompression_bomb", blobs)


def test_extraction_time_budget(blobs: LocalBlobStore) -> None:
    result = read_document(
        hostile.text_pdf(),
        filename="slow.pdf",
        limits=IntakeSettings(),
        blobs=blobs,
        time_budget_s=-1.0,  # a budget already spent: the first page check trips it
    )
    assert_rejected(result, "decompression_bomb", blobs)
    assert "budget" in (result.reason or "")


def test_image_pixel_bomb(blobs: LocalBlobStore) -> None:
    from vouchflow.documents import ocr

    if not ocr.ocr_available():
        # Without OCR the image is never decoded at all.
        assert read(hostile.png_pixel_bomb(), blobs).bad_input_code == "ocr_not_installed"
        return
    result = read(hostile.png_pixel_bomb(), blobs)
    assert_rejected(result, "decompression_bomb", blobs)


def test_text_in_an_unknown_encoding(blobs: LocalBlobStore) -> None:
    result = read(hostile.EBCDIC_TEXT, blobs, name="invoice.txt")
    assert_rejected(result, "bad_encoding", blobs)
    assert "UTF-8" in (result.reason or "")


def test_utf16_bom_with_broken_body(blobs: LocalBlobStore) -> None:
    # An odd number of bytes after a UTF-16 BOM cannot be UTF-16.
    result = read(b"\xff\xfeI\x00n\x00v", blobs)
    assert_rejected(result, "bad_encoding", blobs)


def test_malformed_xml(blobs: LocalBlobStore) -> None:
    assert_rejected(read(hostile.MALFORMED_XML, blobs), "malformed_xml", blobs)


def test_external_entities_are_never_resolved(blobs: LocalBlobStore) -> None:
    result = read(hostile.XXE_FILE, blobs, name="invoice.xml")
    assert_rejected(result, "malformed_xml", blobs)
    assert "root:" not in (result.reason or "")  # /etc/passwd content never leaks


def test_billion_laughs_is_refused(blobs: LocalBlobStore) -> None:
    result = read(hostile.BILLION_LAUGHS, blobs)
    assert_rejected(result, "malformed_xml", blobs)


def test_whitespace_only_text_has_no_text(blobs: LocalBlobStore) -> None:
    assert_rejected(read(b"   \n\t\n  ", blobs), "no_text", blobs)


@pytest.mark.parametrize(
    "builder",
    [
        hostile.truncated_pdf,
        hostile.garbage_pdf,
        hostile.encrypted_pdf,
        hostile.docx_bytes,
        hostile.exe_bytes,
        hostile.random_binary,
        hostile.lying_page_count_pdf,
        hostile.png_pixel_bomb,
    ],
)
def test_bad_input_never_raises_and_always_explains(
    builder: Callable[[], bytes], blobs: LocalBlobStore
) -> None:
    result = read(builder(), blobs)
    assert result.ok is False
    assert result.bad_input_code is not None
    assert result.reason and len(result.reason) > 10
