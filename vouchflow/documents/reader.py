"""Turn an uploaded document into text (by blob reference) or a clear bad-input reason.

``read_document`` never raises for bad input: an empty, huge, corrupt, encrypted,
bomb-like or unreadable file becomes ``DocumentText(ok=False, bad_input_code=...,
reason=...)`` and the workflow ends in a clear state while the original stays in the
blob store. The type is decided by magic bytes (``documents.sniff``), never the name.

What each kind yields on success:

* PDF: native text (pypdf); pages without a text layer are OCR'd when the OCR extra is
  installed; an embedded Factur-X/ZUGFeRD/XRechnung/UBL invoice is stored beside it.
  Words in the text layer a person cannot see on the rendered page are recorded
  (``DocumentText.hidden_text``) and left out of what the extractor reads: a page that
  has any gets its text from its visible words instead of pypdf's.
* PNG/JPEG/TIFF: OCR.
* Plain text: UTF-8, UTF-16/32 with BOM, or Windows-1252/Latin-1.
* XML: a UBL or CII e-invoice (parsed without entities, DTDs or network); its text
  rendering is the document text and the XML is the ``einvoice_ref``.
"""

from __future__ import annotations

import re

from schemas.common.documents import BadInputCode, BlobRef, DocumentText, HiddenText, TextMethod
from vouchflow.documents import ocr
from vouchflow.documents.blobs import BlobStore
from vouchflow.documents.einvoice import (
    EInvoiceError,
    detect_format,
    parse_einvoice,
    parse_xml,
    render_text,
)
from vouchflow.documents.hidden_text import summarise
from vouchflow.documents.layout import LAYOUT_MEDIA_TYPE, PdfPages, pdf_pages
from vouchflow.documents.pdf_text import DEFAULT_TIME_BUDGET_S, read_pdf
from vouchflow.documents.plain_text import decode_text
from vouchflow.documents.sniff import SUPPORTED, Sniffed, sniff
from vouchflow.documents.text_safety import safe_text
from vouchflow.settings.config import IntakeSettings

PREVIEW_CHARS = 300
OCR_TIME_BUDGET_S = 120.0
# OCR costs seconds per page; past this many textless pages we OCR only the first ones.
MAX_OCR_PAGES = 20
PAGE_SEPARATOR = "\n\f\n"
_FALLBACK_CODE: dict[str, BadInputCode] = {
    "pdf": "corrupt_pdf",
    "png": "unsupported_type",
    "jpeg": "unsupported_type",
    "tiff": "unsupported_type",
    "xml": "malformed_xml",
    "text": "bad_encoding",
}


def _bad(
    code: BadInputCode, reason: str, *, detected: str | None = None, pages: int = 0
) -> DocumentText:
    return DocumentText(
        ok=False, bad_input_code=code, reason=safe_text(reason), detected_type=detected, pages=pages
    )


def _preview(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:PREVIEW_CHARS]


def _finish(
    text: str,
    *,
    method: TextMethod,
    pages: int,
    detected: str,
    limits: IntakeSettings,
    blobs: BlobStore,
    einvoice_ref: BlobRef | None = None,
    einvoice_format: str | None = None,
    einvoice_error: str | None = None,
    truncated: bool = False,
    ocr_confidence: float | None = None,
    notes: list[str] | None = None,
    pages_read: int | None = None,
    layout_ref: BlobRef | None = None,
    hidden_text: HiddenText | None = None,
) -> DocumentText:
    # Every reader's text passes here: the one place text enters the system.
    text = safe_text(text)
    notes = [safe_text(note) for note in notes or []]
    full_chars: int | None = None if truncated else len(text)
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        truncated = True
    if truncated:
        if full_chars is not None:
            notes.append(
                f"text cut at {limits.max_text_chars:,} characters "
                f"(read {len(text):,} of {full_chars:,})"
            )
        else:
            notes.append(
                f"text cut at {limits.max_text_chars:,} characters "
                f"(later pages were not read; {pages_read or 0} of {pages} pages read)"
            )
    if not text.strip() and einvoice_ref is None:
        return _bad(
            "no_text", "the document contains no readable text", detected=detected, pages=pages
        )
    return DocumentText(
        ok=True,
        method=method,
        text_ref=blobs.put_text(text),
        layout_ref=layout_ref,
        pages=pages,
        chars=len(text),
        preview=_preview(text),
        detected_type=detected,
        einvoice_ref=einvoice_ref,
        einvoice_format=einvoice_format,
        einvoice_error=safe_text(einvoice_error) if einvoice_error else None,
        text_truncated=truncated,
        full_chars=full_chars,
        pages_read=pages if pages_read is None else pages_read,
        ocr_confidence=ocr_confidence,
        notes=notes,
        hidden_text=hidden_text,
    )


def read_document(
    data: bytes,
    *,
    filename: str,
    limits: IntakeSettings,
    blobs: BlobStore,
    ocr_enabled: bool = True,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
) -> DocumentText:
    # A name from a file system may carry undecodable bytes as lone surrogates.
    filename = safe_text(filename)
    # Size first: nothing is parsed before we know the file is within bounds.
    if len(data) == 0:
        return _bad("empty_file", f"{filename or 'the file'} is empty (0 bytes)")
    if len(data) > limits.max_file_bytes:
        return _bad(
            "too_large",
            f"file is {len(data):,} bytes, above the {limits.max_file_bytes:,}-byte limit",
        )

    kind = sniff(data)
    if kind.kind not in SUPPORTED:
        return _bad(
            "unsupported_type",
            f"{filename or 'the file'} is {kind.label}; send a PDF, an image, plain text "
            "or a UBL/CII e-invoice",
            detected=kind.media_type,
        )
    try:
        if kind.kind == "pdf":
            return _read_pdf(data, kind, limits, blobs, ocr_enabled, time_budget_s)
        if kind.kind in ("png", "jpeg", "tiff"):
            return _read_image(data, kind, limits, blobs, ocr_enabled)
        if kind.kind == "xml":
            return _read_xml(data, kind, limits, blobs)
        return _read_text(data, kind, limits, blobs)
    except MemoryError:
        return _bad(
            "decompression_bomb",
            "reading the document needed more memory than allowed",
            detected=kind.media_type,
        )
    except OSError:
        raise  # the blob store failed: infrastructure, so the activity retries
    except Exception as exc:
        # A parser bug tripped by odd input must still end as a bad input, not a crash loop.
        return _bad(
            _FALLBACK_CODE[kind.kind],
            f"{kind.label} could not be read: {type(exc).__name__}: {exc}",
            detected=kind.media_type,
        )


def _read_pdf(
    data: bytes,
    kind: Sniffed,
    limits: IntakeSettings,
    blobs: BlobStore,
    ocr_enabled: bool,
    time_budget_s: float,
) -> DocumentText:
    pdf = read_pdf(
        data,
        max_pages=limits.max_pages,
        max_text_chars=limits.max_text_chars,
        time_budget_s=time_budget_s,
    )
    if not pdf.ok:
        assert pdf.bad_input_code is not None
        return _bad(pdf.bad_input_code, pdf.reason or "", detected=kind.media_type, pages=pdf.pages)

    einvoice_ref = None
    if pdf.einvoice_xml is not None:
        einvoice_ref = blobs.put(pdf.einvoice_xml, "application/xml")
    notes = list(pdf.notes)
    texts = list(pdf.page_texts)
    method: TextMethod = "pdf_text"
    ocr_confidence = None
    textless = pdf.textless_pages
    all_textless = len(textless) == len(texts) and not pdf.truncated

    if textless and (ocr_enabled and ocr.ocr_available()):
        targets = textless[:MAX_OCR_PAGES]
        if len(textless) > MAX_OCR_PAGES:
            notes.append(
                f"only the first {MAX_OCR_PAGES} of {len(textless)} scanned pages were OCR'd"
            )
        try:
            results = ocr.ocr_pdf_pages(data, targets, time_budget_s=OCR_TIME_BUDGET_S)
        except ocr.OcrLimitError as exc:
            return _bad("decompression_bomb", str(exc), detected=kind.media_type, pages=pdf.pages)
        except Exception as exc:
            return _bad(
                "corrupt_pdf",
                f"PDF pages could not be rendered for OCR: {type(exc).__name__}: {exc}",
                detected=kind.media_type,
                pages=pdf.pages,
            )
        confidences = []
        for index, page in results.items():
            texts[index] = page.text
            if page.mean_confidence is not None:
                confidences.append(page.mean_confidence)
        if results:
            method = "ocr" if all_textless else "pdf_text"
            if not all_textless:
                notes.append(f"pages {', '.join(str(i + 1) for i in results)} were OCR'd")
            ocr_confidence = sum(confidences) / len(confidences) if confidences else None
    elif textless:
        if all_textless and pdf.einvoice_xml is not None:
            # A scan carrying its invoice as XML: the XML is the text.
            try:
                texts = [render_text(parse_einvoice(pdf.einvoice_xml))]
                method = "einvoice_xml"
            except EInvoiceError as exc:
                notes.append(f"embedded e-invoice unreadable: {exc}")
                pdf.einvoice_error = f"embedded e-invoice unreadable: {exc}"
        elif all_textless:
            reason = ocr.OCR_INSTALL_HINT if ocr_enabled else "OCR is disabled"
            return _bad(
                "ocr_not_installed" if ocr_enabled else "no_text",
                f"the PDF has no text layer (a scan?) and {reason}",
                detected=kind.media_type,
                pages=pdf.pages,
            )
        if not all_textless:
            notes.append(f"{len(textless)} page(s) without a text layer were not OCR'd")

    layout_ref = None
    hidden_text = None
    # Pages whose text comes from the text layer (not OCR, not an e-invoice rendering).
    layer_pages = (
        []
        if method == "einvoice_xml"
        else [i for i in range(len(pdf.page_texts)) if i not in textless]
    )
    if layer_pages:
        pages = pdf_pages(data, max_pages=len(pdf.page_texts), time_budget_s=time_budget_s / 2)
        hidden_text = _hidden_text(pages, layer_pages)
        if pages is not None:
            notes += _drop_hidden(texts, pages, layer_pages)
            if method == "pdf_text" and not textless:
                # Positions only where every read page has a text layer: an OCR'd page's
                # words would be missing, and the extractor then works from the text's
                # own layout.
                layout_ref = blobs.put(pages.layout.to_bytes(), LAYOUT_MEDIA_TYPE)
    return _finish(
        PAGE_SEPARATOR.join(texts),
        method=method,
        pages=pdf.pages,
        layout_ref=layout_ref,
        detected=kind.media_type,
        limits=limits,
        blobs=blobs,
        einvoice_ref=einvoice_ref,
        einvoice_format=pdf.einvoice_format,
        einvoice_error=pdf.einvoice_error,
        truncated=pdf.truncated,
        ocr_confidence=ocr_confidence,
        notes=notes,
        pages_read=len(pdf.page_texts),
        hidden_text=hidden_text,
    )


def _drop_hidden(texts: list[str], pages: PdfPages, layer_pages: list[int]) -> list[str]:
    """The extractor reads what a person sees: each text-layer page with hidden words
    that could steer a reading gets its text from its visible words (the route still
    sends it to a person). A page whose visible words did not all fit under the word cap
    keeps its text as read; so does a page whose few hidden words say nothing (a 1 pt
    credit line), whose text layer reads better than words rebuilt from positions."""
    rebuilt, kept = [], []
    for index in layer_pages:
        if index not in pages.hidden or not pages.hidden[index].matters:
            continue
        if index in pages.visible_text:
            texts[index] = pages.visible_text[index]
            rebuilt.append(index + 1)
        else:
            kept.append(index + 1)
    notes = []
    if rebuilt:
        notes.append(
            f"words a reader cannot see were left out of the text of page(s) {_listed(rebuilt)}"
        )
    if kept:
        notes.append(
            f"words a reader cannot see remain in the text of page(s) {_listed(kept)} "
            "(too many words to rebuild it)"
        )
    return notes


def _listed(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "")


def _hidden_text(pages: PdfPages | None, layer_pages: list[int]) -> HiddenText | None:
    if pages is None:
        # pdfplumber could not open a file pypdf could: nothing says its text is visible.
        return HiddenText(unchecked="the page layout could not be read")
    return summarise(pages.hidden, pages.unchecked, layer_pages)


def _read_image(
    data: bytes, kind: Sniffed, limits: IntakeSettings, blobs: BlobStore, ocr_enabled: bool
) -> DocumentText:
    if not ocr_enabled:
        return _bad(
            "no_text",
            f"{kind.label} has no text layer and OCR is disabled",
            detected=kind.media_type,
        )
    if not ocr.ocr_available():
        return _bad("ocr_not_installed", ocr.OCR_INSTALL_HINT, detected=kind.media_type)
    try:
        pages = ocr.ocr_image_bytes(data, time_budget_s=OCR_TIME_BUDGET_S)
    except ocr.OcrLimitError as exc:
        return _bad("decompression_bomb", str(exc), detected=kind.media_type)
    except Exception as exc:
        return _bad(
            "unsupported_type",
            f"{kind.label} could not be decoded: {type(exc).__name__}: {exc}",
            detected=kind.media_type,
        )
    confidences = [p.mean_confidence for p in pages if p.mean_confidence is not None]
    return _finish(
        PAGE_SEPARATOR.join(p.text for p in pages),
        method="ocr",
        pages=len(pages),
        detected=kind.media_type,
        limits=limits,
        blobs=blobs,
        ocr_confidence=sum(confidences) / len(confidences) if confidences else None,
    )


def _read_xml(data: bytes, kind: Sniffed, limits: IntakeSettings, blobs: BlobStore) -> DocumentText:
    try:
        root = parse_xml(data)
    except EInvoiceError as exc:
        return _bad("malformed_xml", str(exc), detected=kind.media_type)
    fmt = detect_format(root)
    if fmt is None:
        return _bad(
            "unsupported_type",
            f"XML document <{root.tag}> is not a UBL or CII invoice",
            detected=kind.media_type,
        )
    try:
        text = render_text(parse_einvoice(data))
    except EInvoiceError as exc:
        return _bad("malformed_xml", str(exc), detected=kind.media_type)
    return _finish(
        text,
        method="einvoice_xml",
        pages=1,
        detected=f"application/xml; einvoice={fmt}",
        limits=limits,
        blobs=blobs,
        einvoice_ref=blobs.put(data, "application/xml"),
        einvoice_format=fmt,
    )


def _read_text(
    data: bytes, kind: Sniffed, limits: IntakeSettings, blobs: BlobStore
) -> DocumentText:
    decoded = decode_text(data)
    if not decoded.ok:
        return _bad("bad_encoding", decoded.reason or "undecodable text", detected=kind.media_type)
    return _finish(
        decoded.text,
        method="plain_text",
        pages=1,
        detected=f"text/plain; charset={decoded.encoding}",
        limits=limits,
        blobs=blobs,
    )
