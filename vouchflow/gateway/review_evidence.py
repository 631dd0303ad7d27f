"""Where on the page each extracted value was printed: highlight boxes for the review page.

The extractors record their evidence as text, e.g. ``Invoice No: NW-88213 (page 1 at x
145-192, y 140)``: the value's segment on the page, in layout coordinates (PDF points
from the top-left corner; a text layout's 6 x 12 point character cells). The words of
the stored layout (``DocumentText.layout_ref``) under that spot give the box to draw.
Evidence without a position (the line reader quotes a whole line) is found by its text
among the layout's lines. Pure functions: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schemas.invoice.extraction import FieldEvidence
from vouchflow.documents.layout import Layout, Line, Word, group_lines

# What `page_reader.Box.describe` writes (1-based page, coordinates rounded to points).
POSITION = re.compile(r"page (\d+) at x (-?\d+)-(-?\d+), y (-?\d+)")
# The position as written inside an explanation: " (page 1 at ...)" or "; page 1 at ...".
_POSITION_NOTE = re.compile(
    r"\s*\(page \d+ at x -?\d+--?\d+, y -?\d+\)|;\s*page \d+ at x -?\d+--?\d+, y -?\d+"
)
# Rounding in the evidence text plus the spread of word tops within one segment.
SLACK = 2.5
# Quoted lines shorter than this match too much of a page to point at one place.
MIN_QUOTE_CHARS = 4


@dataclass(frozen=True)
class Box:
    page: int  # 0-based
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Highlight:
    """One box on the page and the fields whose values were read from it."""

    fields: tuple[str, ...]
    box: Box


def without_positions(source_text: str | None) -> str:
    """Evidence as a reviewer reads it: what was printed and why, without the coordinates
    (the box on the page shows where)."""
    return _POSITION_NOTE.sub("", source_text or "")


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _union(words: Iterable[Word], page: int) -> Box | None:
    listed = list(words)
    if not listed:
        return None
    return Box(
        page,
        min(w.x0 for w in listed),
        min(w.top for w in listed),
        max(w.x1 for w in listed),
        max(w.bottom for w in listed),
    )


def _at_position(layout: Layout, page: int, x0: float, x1: float, top: float) -> Box:
    """The words inside the described segment; the bare position when none is found (a
    layout that does not match the evidence still points somewhere sensible)."""
    pages = {p.number: p for p in layout.pages}
    words = pages[page].words if page in pages else []
    inside = [
        w for w in words if w.x0 >= x0 - SLACK and w.x1 <= x1 + SLACK and abs(w.top - top) <= SLACK
    ]
    return _union(inside, page) or Box(page, x0, top, x1, top + 10.0)


def _quoted_line(lines: Sequence[Line], quote: str) -> Box | None:
    """The first layout line whose text is the quoted text (or holds it)."""
    wanted = _squash(quote)
    if len(wanted) < MIN_QUOTE_CHARS:
        return None
    for exact in (True, False):
        for line in lines:
            text = _squash(line.text)
            if (text == wanted) if exact else (wanted in text):
                return _union(line.words, line.page)
    return None


def evidence_boxes(evidence: FieldEvidence, layout: Layout, lines: Sequence[Line]) -> list[Box]:
    """The boxes one field's evidence points at (none when it cannot be placed)."""
    source = evidence.source_text or ""
    positions = list(POSITION.finditer(source))
    if positions:
        return [
            _at_position(layout, int(m[1]) - 1, float(m[2]), float(m[3]), float(m[4]))
            for m in positions
        ]
    box = _quoted_line(lines, source)
    return [box] if box is not None else []


def highlights(evidence: Sequence[FieldEvidence], layout: Layout) -> list[Highlight]:
    """One highlight per distinct box, naming every field read from it (a table row is
    the evidence of all five of its line-item fields), in reading order."""
    lines = group_lines(layout)
    by_box: dict[Box, list[str]] = {}
    for ev in evidence:
        for box in evidence_boxes(ev, layout, lines):
            fields = by_box.setdefault(box, [])
            if ev.field not in fields:
                fields.append(ev.field)
    ordered = sorted(by_box.items(), key=lambda item: (item[0].page, item[0].top, item[0].x0))
    return [Highlight(tuple(fields), box) for box, fields in ordered]
