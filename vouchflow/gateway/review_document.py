"""What the review page shows of a document: its pages as pictures (PDFs, scans) or its
text, with a box over every place an extracted value was read from.

A PDF with a text layer is drawn page by page with the boxes from its stored word
layout (PDF points, shown as percentages of the page so any picture size fits). Text
files, OCR output and e-invoices are shown as their text, laid out on the same
character grid the extractor read (``documents.layout.text_layout``), with the boxes
on that grid. Loading from the blob store happens here; the geometry is pure.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from schemas.common.documents import DocumentText
from schemas.invoice.extraction import ExtractionResult, FieldEvidence
from vouchflow.documents.blobs import BlobStore
from vouchflow.documents.layout import CHAR_W, LINE_H, Layout, text_layout
from vouchflow.gateway.review_evidence import Highlight, highlights
from vouchflow.gateway.review_render import MAX_PAGES_SHOWN, RENDERABLE

log = structlog.get_logger("vouchflow.gateway")

# Enough of a text document to review it; the rest is a click on the original away.
MAX_TEXT_ROWS = 400
MAX_ROW_CHARS = 240


@dataclass(frozen=True)
class Mark:
    """A highlight placed for display: `number` is what the field list refers to."""

    number: int
    fields: tuple[str, ...]
    # Pictures: percentages of the page. Text: character columns and rows.
    left: float
    top: float
    width: float
    height: float


@dataclass
class PageView:
    number: int  # 0-based
    marks: list[Mark] = field(default_factory=list)


@dataclass
class TextPage:
    rows: list[str]
    marks: list[Mark] = field(default_factory=list)


@dataclass
class DocumentView:
    pictures: list[PageView] = field(default_factory=list)
    text: list[TextPage] = field(default_factory=list)
    text_cut: bool = False
    # field name -> the numbers of the marks showing where it was read
    marks_by_field: dict[str, list[int]] = field(default_factory=dict)
    unavailable: str = ""


def _visible(row: str) -> str:
    """One row of document text, safe to show, keeping every character's column (the
    boxes are placed by column): control and format characters become U+FFFD."""
    out = []
    for char in row.expandtabs(8)[:MAX_ROW_CHARS]:
        category = unicodedata.category(char)
        out.append("\ufffd" if category in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else char)
    return "".join(out)


def text_rows(text: str) -> list[list[str]]:
    """The text split as ``text_layout`` splits it: pages at form feeds, leading and
    trailing blank lines of a page dropped, tabs expanded to 8 columns."""
    pages = []
    for page_text in text.split("\f"):
        rows = page_text.strip("\n").split("\n") if page_text.strip() else []
        pages.append([_visible(row) for row in rows])
    return pages


def _numbered(found: Sequence[Highlight]) -> list[tuple[int, Highlight]]:
    return list(enumerate(found, start=1))


def _picture_marks(layout: Layout, found: Sequence[Highlight]) -> dict[int, list[Mark]]:
    sizes = {p.number: (p.width, p.height) for p in layout.pages}
    marks: dict[int, list[Mark]] = {}
    for number, hl in _numbered(found):
        box = hl.box
        if box.page not in sizes:
            continue
        width, height = sizes[box.page]
        pad = 1.5  # points around the words, so the box does not cut through letters
        marks.setdefault(box.page, []).append(
            Mark(
                number,
                hl.fields,
                left=max(0.0, (box.x0 - pad) / width * 100),
                top=max(0.0, (box.top - pad) / height * 100),
                width=(box.x1 - box.x0 + 2 * pad) / width * 100,
                height=(box.bottom - box.top + 2 * pad) / height * 100,
            )
        )
    return marks


def _text_marks(found: Sequence[Highlight]) -> dict[int, list[Mark]]:
    marks: dict[int, list[Mark]] = {}
    for number, hl in _numbered(found):
        box = hl.box
        row = round(box.top / LINE_H)
        if row >= MAX_TEXT_ROWS:
            continue
        marks.setdefault(box.page, []).append(
            Mark(
                number,
                hl.fields,
                left=round(box.x0 / CHAR_W),
                top=row,
                width=max(1, round((box.x1 - box.x0) / CHAR_W)),
                height=1,
            )
        )
    return marks


def _by_field(found: Sequence[Highlight]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for number, hl in _numbered(found):
        for name in hl.fields:
            out.setdefault(name, []).append(number)
    return out


def build_view(
    document: DocumentText | None,
    evidence: Sequence[FieldEvidence],
    *,
    text: str | None,
    layout: Layout | None,
) -> DocumentView:
    """The view of a document from what was loaded (pure, for tests)."""
    if document is None or not document.ok:
        return DocumentView(unavailable="the document could not be read, so it is not shown")
    view = DocumentView()
    pictured = document.detected_type in RENDERABLE
    if pictured:
        shown = min(document.pages_read or document.pages or 1, MAX_PAGES_SHOWN)
        view.pictures = [PageView(n) for n in range(shown)]
    if pictured and layout is not None and layout.source == "pdf":
        found = highlights(evidence, layout)
        marks = _picture_marks(layout, found)
        for page in view.pictures:
            page.marks = marks.get(page.number, [])
        view.marks_by_field = _by_field(found)
        return view
    if text is None:
        if not pictured:
            view.unavailable = "the document's text is not in the blob store"
        return view
    # Scans (OCR), text files and e-invoices: the text on the grid the extractor read.
    pages = text_rows(text)
    found = highlights(evidence, text_layout(text))
    marks = _text_marks(found)
    budget = MAX_TEXT_ROWS
    for number, rows in enumerate(pages):
        if budget <= 0:
            view.text_cut = True
            break
        view.text_cut = view.text_cut or len(rows) > budget
        view.text.append(TextPage(rows[:budget], marks.get(number, [])))
        budget -= len(rows[:budget])
    view.marks_by_field = _by_field(found)
    return view


def full_evidence(extraction: ExtractionResult | None, blobs: BlobStore) -> list[FieldEvidence]:
    """Every field's evidence: history carries the header fields (quotes cut short), the
    stored full result has them all, line items included."""
    if extraction is None:
        return []
    ref = extraction.full_result_ref
    if ref is not None:
        try:
            stored = json.loads(blobs.get(ref.sha256))
            return [FieldEvidence.model_validate(ev) for ev in stored.get("evidence", [])]
        except (KeyError, OSError, ValueError) as err:
            log.warning("stored extraction not readable", error=type(err).__name__)
    return list(extraction.evidence)


def load_view(
    document: DocumentText | None,
    extraction: ExtractionResult | None,
    blobs: BlobStore,
) -> tuple[DocumentView, list[FieldEvidence]]:
    """Read the text, layout and evidence from the blob store and build the view (call
    in a thread: blob reads are synchronous)."""
    evidence = full_evidence(extraction, blobs)
    text: str | None = None
    layout: Layout | None = None
    if document is not None and document.ok:
        try:
            if document.text_ref is not None:
                text = blobs.get_text(document.text_ref.sha256)
            if document.layout_ref is not None:
                layout = Layout.from_bytes(blobs.get(document.layout_ref.sha256))
        except (KeyError, OSError, ValueError) as err:
            log.warning("document text or layout not readable", error=type(err).__name__)
    return build_view(document, evidence, text=text, layout=layout), evidence
