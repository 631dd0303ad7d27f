"""Text drawn in a render mode that paints nothing, where it is hard to place: inside
nested form XObjects, on rotated pages and pages whose MediaBox does not start at the
origin; and the bounds that keep a hostile page from costing unbounded time or memory.
The PDFs are written by hand (fpdf2 draws no form XObjects) and read by the production
reader (pypdf text, pdfplumber word boxes, pdfium render modes)."""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from fpdf import FPDF
from fpdf.enums import TextMode

from tests.invoice_texts import TextInvoice
from tests.test_hidden_text import VISIBLE_TOTAL_MINOR, assessed, read, words_of
from vouchflow.documents.hidden_text import GRID_PT, MAX_GRID_CELLS, page_visibility
from vouchflow.documents.render_mode import MAX_PAGE_OBJECTS, RenderModes
from vouchflow.settings.config import Settings, load_settings

Box = tuple[float, float, float, float]
A4: Box = (0, 0, 595, 842)
HIDDEN_IN_FORM = "Pay IBAN DE89 3704 0044"


def line(x: float, y: float, text: str, *, size: float = 10, mode: int = 0) -> bytes:
    """One line of Helvetica text at (x, y) in the current user space."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return (
        f"BT /F1 {size:g} Tf {mode} Tr {x:g} {y:g} Td (".encode()
        + escaped.encode("cp1252")
        + b") Tj ET\n"
    )


def raw_pdf(
    content: bytes, *, forms: Mapping[str, bytes] | None = None, mediabox: Box = A4, rotate: int = 0
) -> bytes:
    """A one-page PDF: Helvetica as /F1, and each of ``forms`` as a form XObject (moved by
    5 pt with its /Matrix) that the page and every form can draw by name."""
    forms = dict(forms or {})
    xobjects = " ".join(f"/{name} {6 + i} 0 R" for i, name in enumerate(forms))
    resources = f"<< /Font << /F1 5 0 R >> /XObject << {xobjects} >> >>"
    box = " ".join(f"{v:g}" for v in mediabox)

    def stream(head: str, data: bytes) -> bytes:
        return f"<< {head} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] /Rotate {rotate} "
        f"/Resources {resources} /Contents 4 0 R >>".encode(),
        stream("", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        *(
            stream(
                "/Type /XObject /Subtype /Form /BBox [-5000 -5000 5000 5000] "
                f"/Matrix [1 0 0 1 5 5] /Resources {resources}",
                data,
            )
            for data in forms.values()
        ),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def invoice_lines(x0: float = 0, y0: float = 0) -> bytes:
    """The clean test invoice as page content, for a MediaBox starting at (x0, y0)."""
    rows = TextInvoice().render().splitlines()
    return b"".join(line(x0 + 57, y0 + 785 - row * 17, text) for row, text in enumerate(rows))


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


@pytest.mark.parametrize(
    ("mediabox", "rotate"),
    [
        (A4, 0),
        ((50, 100, 645, 942), 0),
        (A4, 90),
        ((20, 30, 615, 872), 270),
        (A4, 180),
    ],
    ids=["a4", "offset-mediabox", "rotated-90", "offset-rotated-270", "rotated-180"],
)
def test_invisible_text_in_nested_forms_is_found_on_any_page_geometry(
    mediabox: Box, rotate: int
) -> None:
    # The page draws the outer form scaled 2x; the outer form draws the inner one at half
    # size and a visible line of its own; the inner form holds the invisible words.
    x0, y0 = mediabox[:2]
    content = line(x0 + 72, y0 + 700, "Visible total 280.80") + (
        f"q 2 0 0 2 {x0 + 100:g} {y0 + 300:g} cm /Outer Do Q".encode()
    )
    forms = {
        "Outer": b"q 0.5 0 0 0.5 40 40 cm /Inner Do Q\n" + line(20, 20, "Shown in a form", size=8),
        "Inner": line(10, 20, HIDDEN_IN_FORM, mode=3),
    }
    data = raw_pdf(content, forms=forms, mediabox=mediabox, rotate=rotate)
    deadline = time.monotonic() + 30
    with pdfplumber.open(io.BytesIO(data)) as pdf, RenderModes(data) as modes:
        page = pdf.pages[0]
        seen = page_visibility(
            page, deadline=deadline, modes=modes.page(0, page, deadline=deadline)
        )
        chars: list[dict[str, Any]] = page.chars
    assert seen.unchecked is None
    assert set(seen.hidden.values()) == {"invisible"}
    # Characters in drawing order, blanks left out (a blank is never hidden itself).
    hidden = "".join(c["text"] for c in chars if id(c) in seen.hidden)
    shown = "".join(c["text"] for c in chars if id(c) not in seen.hidden and c["text"].strip())
    assert hidden == HIDDEN_IN_FORM.replace(" ", "")
    assert shown == "Visibletotal280.80Showninaform"


def test_a_page_with_too_many_drawing_objects_to_walk_goes_to_a_person(
    tmp_path: Path, settings: Settings
) -> None:
    # Every drawing of an (empty) form is an object to walk; the invisible words after
    # the cap are never reached, so the page is reported as not checked.
    content = (
        invoice_lines()
        + b"/Empty Do\n" * (MAX_PAGE_OBJECTS + 1)
        + line(300, 300, "Total: 9,999.00", mode=3)
    )
    doc, blobs = read(raw_pdf(content, forms={"Empty": b""}), tmp_path)
    hidden = doc.hidden_text
    assert hidden is not None and hidden.words == 0
    why = f"page 1: more than {MAX_PAGE_OBJECTS:,} drawing objects"
    assert hidden.unchecked == why
    assessment = assessed(doc, blobs, settings)
    assert assessment.invoice.total_minor == VISIBLE_TOTAL_MINOR
    assert assessment.decision.route == "review"
    assert assessment.decision.reasons[0] == (
        f"the PDF's text could not all be checked for words a reader cannot see ({why})"
    )


def _huge_page(draw_mode: TextMode | None) -> bytes:
    """A 40,000 pt square page (its grid would need over 1.5 million cells) with the
    invoice on it, and either a page-sized white background or a giant invisible letter."""
    pdf = FPDF(unit="pt", format=(40_000, 40_000))
    pdf.add_page()
    if draw_mode is None:
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(0, 0, 40_000, 40_000, style="F")
    pdf.set_font("Helvetica", "", 10)
    for row, text in enumerate(TextInvoice().render().splitlines()):
        pdf.text(57, 57 + row * 17, text)
    if draw_mode is not None:
        with pdf.local_context(text_mode=draw_mode):
            pdf.set_font_size(30_000)
            pdf.text(2_000, 35_000, "W")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("draw_mode", "what"),
    [(None, "filled shapes and images"), (TextMode.INVISIBLE, "text that paints nothing")],
    ids=["page-sized-background", "giant-invisible-letter"],
)
def test_areas_too_large_to_index_leave_the_page_unchecked(
    tmp_path: Path, settings: Settings, draw_mode: TextMode | None, what: str
) -> None:
    assert MAX_GRID_CELLS < (40_000 / GRID_PT) ** 2
    doc, blobs = read(_huge_page(draw_mode), tmp_path)
    hidden = doc.hidden_text
    assert hidden is not None
    assert hidden.unchecked == f"page 1: {what} spread over too much of the page"
    assert "£280.80" in words_of(doc, blobs)
    assert assessed(doc, blobs, settings).decision.route == "review"


def test_a_document_pdfium_cannot_open_is_not_checked() -> None:
    # pdfplumber read the page, pdfium could not read the file: nothing says its text is
    # painted, so the page is reported rather than passed.
    data = raw_pdf(line(300, 300, "Total: 9,999.00", mode=3))
    deadline = time.monotonic() + 30
    with pdfplumber.open(io.BytesIO(data)) as pdf, RenderModes(b"%PDF-1.7 torn") as modes:
        page = pdf.pages[0]
        found = modes.page(0, page, deadline=deadline)
        seen = page_visibility(page, deadline=deadline, modes=found)
    assert found.boxes == []
    assert found.unchecked is not None
    assert found.unchecked.startswith("its render modes could not be read (PdfiumError")
    assert seen.unchecked == found.unchecked
