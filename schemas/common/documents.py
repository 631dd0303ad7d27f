"""References to stored documents and their extracted text.

Big things stay out of workflow history: workflows carry these references, the
bytes live in the blob store.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TextMethod = Literal["pdf_text", "plain_text", "ocr", "einvoice_xml", "none"]

# Why a document could not be read. Each ends the workflow in `rejected_input`.
BadInputCode = Literal[
    "empty_file",
    "too_large",
    "unsupported_type",
    "corrupt_pdf",
    "encrypted_pdf",
    "too_many_pages",
    "decompression_bomb",
    "no_text",
    "ocr_not_installed",
    "bad_encoding",
    "malformed_xml",
    "not_an_invoice",
]


class BlobRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str
    size_bytes: int
    media_type: str | None = None


class HiddenText(BaseModel):
    """Text in a PDF's text layer that a person looking at the rendered page cannot see
    (documents.hidden_text). It is left out of the text and word positions the
    extractors read; the invoice still goes to a person, who sees the page."""

    model_config = ConfigDict(extra="forbid")

    words: int = 0
    # Whether they could steer a reading (several words, or any with a digit, a currency
    # sign or an instruction word); a stray credit line does not send the invoice to a
    # person. True when unknown.
    matters: bool = True
    # Why they cannot be seen, as people read it ("text under 1.5 pt", ...).
    kinds: list[str] = Field(default_factory=list)
    # 1-based numbers of the first pages that carry hidden words.
    pages: list[int] = Field(default_factory=list)
    # The first hidden words, one line, bank numbers masked, at most 80 characters.
    sample: str = ""
    # Pages whose text could not be checked at all, and why (None: every read page was).
    unchecked: str | None = None


class DocumentText(BaseModel):
    """Outcome of reading a document: either text (by reference) or a bad-input reason."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    method: TextMethod = "none"
    text_ref: BlobRef | None = None
    # Words with their positions (documents.layout), for PDFs with a text layer; other
    # kinds derive theirs from the text. Absent in runs recorded before layouts existed.
    layout_ref: BlobRef | None = None
    pages: int = 0
    chars: int = 0
    # A short preview for humans (status, explain); never the whole text.
    preview: str = ""
    detected_type: str | None = None
    # Structured e-invoice XML found in/as the document (stored as a blob).
    einvoice_ref: BlobRef | None = None
    einvoice_format: str | None = None
    # The document carries e-invoice XML that could not be used (broken, too large):
    # its fields then come from the text, which the extractor reports as a fallback.
    einvoice_error: str | None = None
    bad_input_code: BadInputCode | None = None
    reason: str | None = None
    # Text beyond intake.max_text_chars was cut off (the extractor saw only the start).
    text_truncated: bool = False
    # Characters in the whole text before any cut; None when reading stopped early
    # (a long PDF's later pages are not read at all once the limit is reached).
    full_chars: int | None = None
    # Pages whose text was read (the rest of a long PDF is skipped once cut).
    pages_read: int | None = None
    # Mean OCR recognition confidence (0..1) when method == "ocr"; feeds text quality.
    ocr_confidence: float | None = None
    # Things a reviewer should know about how the text was obtained.
    notes: list[str] = Field(default_factory=list)
    # Hidden text found in a PDF's text layer (None: none found, or not a PDF text layer;
    # absent in runs recorded before the check existed).
    hidden_text: HiddenText | None = None
