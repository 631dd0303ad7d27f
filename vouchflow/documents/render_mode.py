"""Where a PDF page draws text in a render mode that paints nothing.

The text render mode (``Tr``) says whether glyphs are filled, stroked, both, or neither.
Text in mode 3 (invisible) or 7 (only added to the clipping path) leaves no mark on the
page, yet a text reader reads it like any other. pdfminer, and so pdfplumber, does not
keep the mode on its characters; pdfium keeps it on each text object. This module lists
the boxes of a page's text objects in those two modes, in pdfplumber's coordinates
(points from the top-left of the page as displayed), for ``documents.hidden_text`` to
match pdfplumber's characters against.

Only modes 3 and 7 count as painting nothing. Modes 1 and 5 stroke the outlines, which
show even at zero line width (the thinnest line a device draws); modes 4 to 6 paint as
well as clip. Text in mode 7 can still show when an image or shading is painted through
it afterwards (lettering filled with a picture); clipping is not followed here, so such
text counts as not seen and a person is asked.

Text inside form XObjects is found too: pdfium reports a nested object's box in its
form's space, so each form's matrix is applied on the way down.

Bounded: at most ``MAX_PAGE_OBJECTS`` objects of a page (nested ones included) and
``MAX_FORM_DEPTH`` levels of forms are walked, under the caller's deadline; a page
beyond any of these is reported as not checked (``PageModes.unchecked``).
"""

from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from vouchflow.documents.pdfium_lock import PDFIUM_LOCK

# pdfium's FPDF_TEXTRENDERMODE_INVISIBLE and FPDF_TEXTRENDERMODE_CLIP.
INVISIBLE_MODE = 3
CLIP_ONLY_MODE = 7
UNPAINTED_MODES = frozenset({INVISIBLE_MODE, CLIP_ONLY_MODE})
MAX_PAGE_OBJECTS = 50_000
MAX_FORM_DEPTH = 12
# How often (in objects) the deadline is looked at.
_DEADLINE_EVERY = 1_024

# (a, b, c, d, e, f): x' = a*x + c*y + e, y' = b*x + d*y + f, as in PDF.
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class ModeBox:
    """The box of one text object that paints nothing, in pdfplumber's coordinates."""

    x0: float
    top: float
    x1: float
    bottom: float
    mode: int


@dataclass(slots=True)
class PageModes:
    """The boxes of a page's text objects drawn in a mode that paints nothing."""

    boxes: list[ModeBox] = field(default_factory=list)
    # Why the page's render modes could not all be read (None: they were).
    unchecked: str | None = None


def multiply(first: Matrix, then: Matrix) -> Matrix:
    """The matrix that applies ``first`` and then ``then``."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def transform_box(
    matrix: Matrix, x0: float, y0: float, x1: float, y1: float
) -> tuple[float, float, float, float]:
    """The axis-aligned box around a box's four corners after ``matrix``."""
    a, b, c, d, e, f = matrix
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


def plumber_matrix(page: Any) -> Matrix:
    """From PDF user space to pdfplumber's coordinates for a pdfplumber page: pdfminer's
    page matrix (MediaBox origin and /Rotate, as its interpreter sets it up), then
    pdfplumber's flip to a top-left origin with its MediaBox offsets."""
    x0, y0, x1, y1 = page.page_obj.mediabox
    rotate = page.page_obj.rotate
    ctm: Matrix
    if rotate == 90:
        ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
    elif rotate == 180:
        ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
    elif rotate == 270:
        ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
    else:
        ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
    mb_x0, mb_top = float(page.mediabox[0]), float(page.mediabox[1])
    flip: Matrix = (1.0, 0.0, 0.0, -1.0, mb_x0, float(page.height) + mb_top)
    return multiply(ctm, flip)


class RenderModes:
    """One PDF opened with pdfium for reading its pages' text render modes. Use as a
    context manager; a document pdfium cannot open reports every page as not checked."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._doc: Any = None
        self._failed: str | None = None

    def __enter__(self) -> RenderModes:
        import pypdfium2 as pdfium

        with PDFIUM_LOCK:
            try:
                self._doc = pdfium.PdfDocument(self._data)
            except Exception as exc:
                self._failed = f"its render modes could not be read ({exc!r:.80})"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._doc is not None:
            with PDFIUM_LOCK:
                self._doc.close()
            self._doc = None

    def page(self, index: int, plumber_page: Any, *, deadline: float) -> PageModes:
        """The unpainted text boxes of page ``index`` (0-based), placed on
        ``plumber_page``, the same page as pdfplumber reads it."""
        if self._doc is None:
            return PageModes(unchecked=self._failed or "its render modes could not be read")
        to_plumber = plumber_matrix(plumber_page)
        with PDFIUM_LOCK:
            if not 0 <= index < len(self._doc):
                return PageModes(unchecked="pdfium does not find this page")
            try:
                page = self._doc[index]
            except Exception as exc:
                return PageModes(unchecked=f"its render modes could not be read ({exc!r:.80})")
            try:
                return _Walk(to_plumber, deadline).page(page.raw)
            finally:
                page.close()


class _Walk:
    """One page's objects, depth first through forms, in drawing order."""

    def __init__(self, to_plumber: Matrix, deadline: float) -> None:
        self._to_plumber = to_plumber
        self._deadline = deadline
        self._seen = 0
        self.result = PageModes()

    def page(self, raw_page: Any) -> PageModes:
        import pypdfium2.raw as pdfium_c

        count = pdfium_c.FPDFPage_CountObjects(raw_page)
        objects = (pdfium_c.FPDFPage_GetObject(raw_page, i) for i in range(max(count, 0)))
        try:
            self._objects(objects, self._to_plumber, depth=0)
        except _Stop as stop:
            self.result.unchecked = stop.why
        return self.result

    def _objects(self, objects: Any, matrix: Matrix, *, depth: int) -> None:
        import pypdfium2.raw as pdfium_c

        for obj in objects:
            self._seen += 1
            if self._seen > MAX_PAGE_OBJECTS:
                raise _Stop(f"more than {MAX_PAGE_OBJECTS:,} drawing objects")
            if self._seen % _DEADLINE_EVERY == 0 and time.monotonic() > self._deadline:
                raise _Stop("the time budget ran out")
            if not obj:
                continue
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
                if mode in UNPAINTED_MODES:
                    self._add(obj, mode, matrix)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                self._form(obj, matrix, depth=depth + 1)

    def _form(self, form: Any, outer: Matrix, *, depth: int) -> None:
        import pypdfium2.raw as pdfium_c

        count = pdfium_c.FPDFFormObj_CountObjects(form)
        if count <= 0:
            return
        if depth > MAX_FORM_DEPTH:
            raise _Stop(f"forms nested more than {MAX_FORM_DEPTH} deep")
        fs = pdfium_c.FS_MATRIX()
        if not pdfium_c.FPDFPageObj_GetMatrix(form, fs):
            raise _Stop("a form's position could not be read")
        # The form's matrix takes its content to the space the form is drawn in.
        inner = multiply((fs.a, fs.b, fs.c, fs.d, fs.e, fs.f), outer)
        objects = (pdfium_c.FPDFFormObj_GetObject(form, i) for i in range(count))
        self._objects(objects, inner, depth=depth)

    def _add(self, obj: Any, mode: int, matrix: Matrix) -> None:
        import pypdfium2.raw as pdfium_c

        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            # pdfium places every object that has glyphs; one it cannot place has none.
            return
        x0, y0, x1, y1 = transform_box(matrix, left.value, bottom.value, right.value, top.value)
        self.result.boxes.append(ModeBox(x0, y0, x1, y1, mode))


class _Stop(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why
