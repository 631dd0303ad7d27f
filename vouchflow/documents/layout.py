"""Words with their positions: the page as a person sees it.

A label and its value are related by where they sit (the value right of the label or
below it, a table cell under its column header, the issuer's block apart from the
buyer's), which plain text loses. Every reader produces the same ``Layout``:

* PDF text layers through pdfplumber's word boxes (font size and weight included, so
  a letterhead can be told from body text), without the words a person looking at the
  page cannot see (``documents.hidden_text``), which are reported instead;
* plain text, OCR output and e-invoice renderings through ``text_layout``: one line of
  text is one row and one character one column, which keeps the columns a text file or
  an OCR engine laid out.

Coordinates are PDF points from the top-left corner of the page (text layouts use 6 x
12 points per character cell, so both kinds share thresholds). The layout is stored in
the blob store beside the text (``DocumentText.layout_ref``) and is bounded: at most
``MAX_WORDS`` words in all, the pages the text reader read, under a time budget.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from vouchflow.documents.hidden_text import (
    FIRST_HIDDEN_WORDS,
    TELLING_WORD,
    HiddenKind,
    PageHidden,
    PageVisibility,
    page_visibility,
)
from vouchflow.documents.render_mode import RenderModes
from vouchflow.documents.text_safety import safe_text

MAX_WORDS = 60_000
MAX_WORD_CHARS = 200
CHAR_W = 6.0
LINE_H = 12.0
LAYOUT_MEDIA_TYPE = "application/vnd.vouchflow.layout+json"

LayoutSource = Literal["pdf", "text"]


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float = 10.0
    bold: bool = False

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass(slots=True)
class Page:
    number: int  # 0-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)


@dataclass(slots=True)
class Layout:
    source: LayoutSource
    pages: list[Page] = field(default_factory=list)

    def words(self) -> Iterator[tuple[int, Word]]:
        for page in self.pages:
            for word in page.words:
                yield page.number, word

    def to_bytes(self) -> bytes:
        doc = {
            "v": 1,
            "source": self.source,
            "pages": [
                {
                    "n": p.number,
                    "w": round(p.width, 2),
                    "h": round(p.height, 2),
                    "words": [
                        [
                            w.text,
                            round(w.x0, 2),
                            round(w.top, 2),
                            round(w.x1, 2),
                            round(w.bottom, 2),
                            round(w.size, 2),
                            int(w.bold),
                        ]
                        for w in p.words
                    ],
                }
                for p in self.pages
            ],
        }
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Layout:
        doc = json.loads(data.decode("utf-8"))
        pages = [
            Page(
                number=int(p["n"]),
                width=float(p["w"]),
                height=float(p["h"]),
                words=[
                    Word(str(t), float(a), float(b), float(c), float(d), float(s), bool(bo))
                    for t, a, b, c, d, s, bo in p["words"]
                ],
            )
            for p in doc["pages"]
        ]
        return cls(source=doc["source"], pages=pages)


def text_layout(text: str, *, max_words: int = MAX_WORDS) -> Layout:
    """A layout from plain text: rows are lines, columns are characters. Pages are split
    at form feeds (the reader's page separator)."""
    pages: list[Page] = []
    count = 0
    for number, page_text in enumerate(text.split("\f")):
        words: list[Word] = []
        rows = page_text.strip("\n").split("\n") if page_text.strip() else []
        width = 0
        for row, line in enumerate(rows):
            line = line.expandtabs(8)
            width = max(width, len(line))
            for match in re.finditer(r"\S+", line):
                if count >= max_words:
                    break
                start, end = match.span()
                # Rounded as stored, so a layout survives its own round trip unchanged.
                words.append(
                    Word(
                        match.group()[:MAX_WORD_CHARS],
                        round(start * CHAR_W, 2),
                        round(row * LINE_H, 2),
                        round(end * CHAR_W, 2),
                        round(row * LINE_H + LINE_H * 0.8, 2),
                        round(LINE_H * 0.8, 2),
                    )
                )
                count += 1
        pages.append(Page(number, max(width, 80) * CHAR_W, max(len(rows), 66) * LINE_H, words))
    return Layout(source="text", pages=pages)


def pdf_layout(
    data: bytes,
    *,
    max_pages: int,
    max_words: int = MAX_WORDS,
    time_budget_s: float = 30.0,
) -> Layout | None:
    """Word boxes of a PDF's text layer, without the words a person cannot see (see
    ``pdf_pages``, which also says which words those were)."""
    pages = pdf_pages(data, max_pages=max_pages, max_words=max_words, time_budget_s=time_budget_s)
    return None if pages is None else pages.layout


@dataclass(slots=True)
class PdfPages:
    """What one pdfplumber pass over a PDF yields: the visible words' layout, the hidden
    words per page (0-based), the pages whose visibility could not be checked and why,
    and, for each page that had hidden words and whose visible words all fit under the
    cap, its text rebuilt from the visible words alone."""

    layout: Layout
    hidden: dict[int, PageHidden] = field(default_factory=dict)
    unchecked: dict[int, str] = field(default_factory=dict)
    visible_text: dict[int, str] = field(default_factory=dict)


_WORD_OPTIONS: dict[str, Any] = {
    "extra_attrs": ["size", "fontname"],
    "x_tolerance": 1.5,
    "y_tolerance": 2.0,
}


def pdf_pages(
    data: bytes,
    *,
    max_pages: int,
    max_words: int = MAX_WORDS,
    time_budget_s: float = 30.0,
) -> PdfPages | None:
    """Word boxes of a PDF's text layer (pdfplumber), with the words a person cannot see
    left out and reported. Call only on a PDF the guarded text reader has accepted
    (``documents.pdf_text``): the bomb and page checks happen there. Returns None when
    pdfplumber cannot read the file; pages past the time budget or the word cap are left
    out (the text still has them) and reported as unchecked."""
    import io

    import pdfplumber
    from pdfplumber.utils import extract_words

    deadline = time.monotonic() + time_budget_s
    result = PdfPages(Layout(source="pdf"))
    count = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf, RenderModes(data) as modes:
            for number, page in enumerate(pdf.pages[:max_pages]):
                if time.monotonic() > deadline or count >= max_words:
                    why = (
                        "the time budget ran out"
                        if count < max_words
                        else f"the {max_words:,}-word cap was reached"
                    )
                    for later in range(number, min(len(pdf.pages), max_pages)):
                        result.unchecked[later] = why
                    break
                try:
                    # Render modes come from pdfium (pdfminer does not keep them).
                    seen = page_visibility(
                        page,
                        deadline=deadline,
                        modes=modes.page(number, page, deadline=deadline),
                    )
                except Exception as exc:
                    # Odd drawing operators must not cost the page its words.
                    seen = PageVisibility(
                        unchecked=f"its drawing could not be judged ({exc!r:.80})"
                    )
                if seen.unchecked is not None:
                    result.unchecked[number] = seen.unchecked
                chars: list[dict[str, Any]] = page.chars
                shown = [c for c in chars if id(c) not in seen.hidden] if seen.hidden else chars
                raw: list[dict[str, Any]] = extract_words(shown, **_WORD_OPTIONS)
                room = max_words - count
                words = [w for w in map(_word, raw[:room]) if w is not None]
                count += len(words)
                built = Page(number, float(page.width), float(page.height), words)
                result.layout.pages.append(built)
                if seen.hidden:
                    hidden = _hidden_words(chars, seen.hidden)
                    if hidden.words:
                        result.hidden[number] = hidden
                        if len(raw) <= room:  # every visible word is in the layout
                            result.visible_text[number] = page_text(built)
    except Exception:
        # pdfplumber is stricter than pypdf on some damaged files; the text path still works.
        return None
    return result


def _word(w: dict[str, Any]) -> Word | None:
    text = safe_text(str(w["text"]))[:MAX_WORD_CHARS]
    if not text.strip():
        return None
    font = str(w.get("fontname") or "")
    return Word(
        text,
        float(w["x0"]),
        float(w["top"]),
        float(w["x1"]),
        float(w["bottom"]),
        float(w.get("size") or 10.0),
        bool(re.search(r"bold|black|heavy|semibold", font, re.I)),
    )


def _hidden_words(chars: list[dict[str, Any]], hidden: dict[int, HiddenKind]) -> PageHidden:
    from pdfplumber.utils import extract_words

    found = PageHidden()
    # Blanks are never hidden themselves; they still separate the hidden words.
    masked = [c for c in chars if id(c) in hidden or not str(c.get("text", "")).strip()]
    for w in extract_words(masked, return_chars=True, **_WORD_OPTIONS):
        text = safe_text(str(w["text"]))[:MAX_WORD_CHARS]
        if not text.strip():
            continue
        found.words += 1
        if TELLING_WORD.search(text):
            found.telling += 1
        kinds = Counter(hidden[id(c)] for c in w["chars"] if id(c) in hidden)
        if kinds:
            found.kinds.add(kinds.most_common(1)[0][0])
        if len(found.first) < FIRST_HIDDEN_WORDS:
            found.first.append(text)
    return found


def page_text(page: Page) -> str:
    """A page's words as lines of text, columns kept apart by two spaces."""
    return "\n".join(line.text for line in group_lines(Layout(source="pdf", pages=[page])))


@dataclass(slots=True)
class Segment:
    """Words on one line with no wide gap between them: a label, a value, a cell."""

    words: list[Word]
    page: int

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)


@dataclass(slots=True)
class Line:
    segments: list[Segment]
    page: int
    index: int  # reading order within the document

    @property
    def text(self) -> str:
        return "  ".join(s.text for s in self.segments)

    @property
    def top(self) -> float:
        return min(s.top for s in self.segments)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.segments)

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]


def _gap_limit(source: LayoutSource, a: Word, b: Word) -> float:
    if source == "text":
        # Two or more spaces separate columns in a text layout.
        return CHAR_W * 1.5
    return max(a.size, b.size) * 0.9


def group_lines(layout: Layout) -> list[Line]:
    """Words into lines (by vertical overlap) and lines into segments (by wide gaps), in
    reading order: page, then top to bottom, then left to right."""
    out: list[Line] = []
    for page in layout.pages:
        rows: list[list[Word]] = []
        for word in sorted(page.words, key=lambda w: (round(w.top, 1), w.x0)):
            placed = False
            for row in reversed(rows[-3:]):
                ref = row[0]
                overlap = min(ref.bottom, word.bottom) - max(ref.top, word.top)
                if overlap > 0.5 * min(ref.height, word.height):
                    row.append(word)
                    placed = True
                    break
            if not placed:
                rows.append([word])
        rows.sort(key=lambda r: min(w.top for w in r))
        for row in rows:
            row.sort(key=lambda w: w.x0)
            segments: list[Segment] = []
            current = [row[0]]
            for prev, word in itertools.pairwise(row):
                if word.x0 - prev.x1 > _gap_limit(layout.source, prev, word):
                    segments.append(Segment(current, page.number))
                    current = [word]
                else:
                    current.append(word)
            segments.append(Segment(current, page.number))
            out.append(Line(segments, page.number, len(out)))
    return out
