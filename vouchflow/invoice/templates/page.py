"""The page as templates see it: runs of words (segments) on lines, with their boxes.

A label is compared by its normalised words (case, accents kept, punctuation dropped),
so "FACTURE N° :" and "Facture N°" are the same label; positions are kept both in points
(for distances) and as fractions of the page (stored in templates).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vouchflow.documents.layout import Layout, Line, Segment, Word, group_lines, text_layout
from vouchflow.invoice.templates.models import Box


@dataclass(slots=True)
class Cell:
    """One segment with what templates need around it."""

    segment: Segment
    line: Line
    page_width: float
    page_height: float

    @property
    def words(self) -> list[Word]:
        return self.segment.words

    @property
    def page(self) -> int:
        return self.segment.page

    @property
    def text(self) -> str:
        return self.segment.text


@dataclass(slots=True)
class PageView:
    layout: Layout
    lines: list[Line]
    cells: list[Cell]

    def size(self, page: int) -> tuple[float, float]:
        for p in self.layout.pages:
            if p.number == page:
                return p.width, p.height
        return 595.0, 842.0

    def cells_on_line(self, line: Line) -> list[Cell]:
        return [c for c in self.cells if c.line is line]


def view_of(layout: Layout | None, text: str) -> PageView:
    """The layout the reader stored, or one made from the text (6 x 12 pt cells)."""
    if layout is None or not any(p.words for p in layout.pages):
        layout = text_layout(text)
    sizes = {p.number: (p.width, p.height) for p in layout.pages}
    lines = group_lines(layout)
    cells = [
        Cell(seg, line, *sizes.get(line.page, (595.0, 842.0)))
        for line in lines
        for seg in line.segments
    ]
    return PageView(layout, lines, cells)


def normalise_label(text: str) -> str:
    """'FACTURE N° :' -> 'facture n'; 'Date d'échéance :' -> 'date d échéance'."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"[^\W_]+", folded))


def words_box(words: list[Word]) -> tuple[float, float, float, float]:
    return (
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )


def relative_box(words: list[Word], width: float, height: float) -> Box:
    x0, top, x1, bottom = words_box(words)
    return Box(
        x0=round(x0 / width, 4),
        top=round(top / height, 4),
        x1=round(x1 / width, 4),
        bottom=round(bottom / height, 4),
    )


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
