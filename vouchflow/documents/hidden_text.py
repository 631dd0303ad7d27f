"""Text in a PDF's text layer that a person looking at the page cannot see.

The reviewer judges an invoice from the rendered page; the extractor reads the text
layer. Text that is in the layer but not on the rendered page (white on white, a
fraction of a point high, outside the visible page, under an opaque image or shape)
could otherwise steer what is extracted without anyone seeing it. Each character of a
page is judged from pdfplumber's attributes and the page's painted areas:

* ``off_page``   its centre lies outside the visible page (MediaBox within CropBox);
* ``tiny``       it is drawn less than ``MIN_VISIBLE_PT`` high;
* ``covered``    an opaque filled shape or image drawn after it covers it;
* ``background`` its fill colour matches what is painted under it: the topmost filled
  shape drawn before it under its centre, or the white page when there is none. White
  text on a dark header bar is therefore visible, and so is dark text on white;
* ``invisible``  it was drawn in text render mode 3, which paints nothing;
* ``clip_only``  it was drawn in render mode 7, which only clips.

pdfminer does not keep the render mode on its characters, so it is read from pdfium's
text objects (``documents.render_mode``): a character lies in such an object when it
overlaps the object's box by at least half of the smaller of the two, across and down
(a glyph box is often smaller than the character's em box; a neighbouring line only
touches it). Visible text drawn inside such an object's box (over its words, or in a gap
its spacing spans) is taken for it too, and goes to a person with it. Modes 3 and 7 are
the only ones that paint nothing (see ``documents.render_mode``).

What is deliberately not a signal:

* Text under or over an image that covers at least half of the page: that is a scan
  and its text layer is its OCR, which OCR engines draw in render mode 3 over or under
  the page image; that text is what a person reads in the image. An image drawn before
  the text is a background of unknown colour, so text on it counts as visible.
* Invisible (mode 3/7) text over a picture of at least ``PHOTO_PAGE_SHARE`` of the page:
  a photographed receipt placed on a page, with its OCR layer. Over a logo-sized picture
  the same text is hidden.
* Transparency and clipping paths: pdfminer keeps neither, so a translucent overlay
  counts as opaque and text clipped away counts as visible.

Bounded: at most ``MAX_PAINTS`` painted areas per page are indexed in a coarse grid,
each grid (painted areas; unpainted text boxes) fills at most ``MAX_GRID_CELLS`` cells,
pdfium's walk has its own caps, and the character loop watches a deadline; a page that
exceeds any of them is reported as not checked (``PageVisibility.unchecked``) rather
than silently passed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from schemas.common.documents import HiddenText
from vouchflow.documents.render_mode import CLIP_ONLY_MODE, ModeBox, PageModes
from vouchflow.stores.redact import clean_text, redact_text

HiddenKind = Literal["background", "tiny", "off_page", "covered", "invisible", "clip_only"]

# What each kind is called where a person reads it (route reasons, notes).
KIND_LABELS: dict[HiddenKind, str] = {
    "background": "white or background-coloured text",
    "tiny": "text under 1.5 pt",
    "off_page": "text off the visible page",
    "covered": "text under an image or filled shape",
    "invisible": "invisible text (render mode 3)",
    "clip_only": "text drawn only as a clipping path (render mode 7)",
}

# Glyphs drawn lower than this are specks, not text a person reads.
MIN_VISIBLE_PT = 1.5
# Text and what is behind it cannot be told apart when no RGB channel (0..1) differs by
# more than this and their luminance contrast is below the ratio (grey 0.95 on white is
# 1.12; a light grey watermark at 0.91 is 1.22 and stays visible).
COLOUR_TOLERANCE = 0.1
MAX_HIDDEN_CONTRAST = 1.15
# A shape thinner than this (table rules, underlines) neither hides nor backs a glyph.
MIN_PAINT_SIDE_PT = 1.5
# An image covering this share of the visible page is a scan; its text is its OCR layer.
SCAN_PAGE_SHARE = 0.5
# Invisible (render mode 3) text over an image of at least this share is that image's OCR
# layer (a photographed receipt placed on a page); over a logo it is hidden text.
PHOTO_PAGE_SHARE = 0.1
# A glyph counts as covered when it lies within this margin of the covering shape.
COVER_MARGIN_PT = 1.0
MAX_PAINTS = 2_000
# A character lies in an unpainted text object when they overlap by at least this share
# of the smaller one's width and of its height.
MODE_OVERLAP = 0.5
FIRST_HIDDEN_WORDS = 20
SAMPLE_CHARS = 80
MAX_PAGES_LISTED = 20
GRID_PT = 32.0
# Cells one grid may fill (an area times the cells it spans): a huge MediaBox or many
# page-sized boxes must not cost unbounded memory before the deadline is looked at.
MAX_GRID_CELLS = 250_000

RGB = tuple[float, float, float]
WHITE: RGB = (1.0, 1.0, 1.0)


@dataclass(frozen=True, slots=True)
class Paint:
    """A filled shape or an image, in drawing order (``seq``), in pdfplumber coordinates
    (points from the top-left)."""

    seq: int
    x0: float
    top: float
    x1: float
    bottom: float
    rgb: RGB | None  # None: not known (an image, a pattern, an unusual colour space)
    opaque: bool
    scan: bool = False
    # An image large enough to be a photographed or scanned document (a receipt on an A4
    # page), not a logo: invisible text over it is its OCR layer.
    photo: bool = False

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom

    def covers(self, x0: float, top: float, x1: float, bottom: float) -> bool:
        m = COVER_MARGIN_PT
        return (
            self.x0 - m <= x0
            and x1 <= self.x1 + m
            and self.top - m <= top
            and bottom <= self.bottom + m
        )


# A few hidden words with nothing in them that could steer a reading (a generator's 1 pt
# "Powered by ..." credit, a stray letter past the margin) are left out of what is read
# but do not send the invoice to a person.
HARMLESS_WORDS = 8
TELLING_WORD = re.compile(
    r"\d|[€£$¥₹@]|\b(?:ignore|instruction|system|prompt|assistant|model|approve|"
    r"override|iban|total|pay|ignorieren|anweisung|ignorer|consigne)",
    re.I,
)


@dataclass(slots=True)
class PageHidden:
    """The words of one page a person cannot see."""

    words: int = 0
    kinds: set[HiddenKind] = field(default_factory=set)
    # The first few, in reading order, for a person to recognise them by.
    first: list[str] = field(default_factory=list)
    # Words that could steer what is read: a digit (an amount, a number, a date, an IBAN),
    # a currency sign, an address or an instruction word.
    telling: int = 0

    @property
    def matters(self) -> bool:
        return self.words > HARMLESS_WORDS or self.telling > 0


@dataclass(slots=True)
class PageVisibility:
    """Which characters of one page a person cannot see, keyed by ``id()`` of
    pdfplumber's char dicts (the same dicts every filtered view of the page shares)."""

    hidden: dict[int, HiddenKind] = field(default_factory=dict)
    # Why the page could not be checked completely (None: it was).
    unchecked: str | None = None


def to_rgb(components: Any, space: str | None = None) -> RGB | None:
    """A fill colour as RGB in 0..1, or None when it cannot be known. ``space`` is the
    colour space's name when pdfminer reports it (characters); shapes carry only their
    components, read as gray (1), RGB (3) or CMYK (4)."""
    if not isinstance(components, tuple | list):
        components = (components,)
    values: list[float] = []
    for value in components:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None  # a pattern name or something unreadable
        values.append(min(max(float(value), 0.0), 1.0))
    if space in ("Separation", "DeviceN"):
        # Tints of inks we cannot see the colour of; no ink at all is the paper.
        return WHITE if values and max(values) <= 0.02 else None
    if space in ("Indexed", "Pattern", "Lab"):
        return None
    if len(values) == 1:
        return (values[0], values[0], values[0])
    if len(values) == 3:
        return (values[0], values[1], values[2])
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def _luminance(rgb: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def same_colour(a: RGB, b: RGB) -> bool:
    """Colours a person cannot tell apart on a page: no channel differs by more than
    ``COLOUR_TOLERANCE`` (so a hue stays visible) and the luminance contrast ratio is
    under ``MAX_HIDDEN_CONTRAST`` (so a faint watermark in light grey stays visible)."""
    if any(abs(x - y) > COLOUR_TOLERANCE for x, y in zip(a, b, strict=True)):
        return False
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05) < MAX_HIDDEN_CONTRAST


def drawing_order(layout_objects: Any) -> dict[str, list[int]]:
    """Drawing position of every object of each kind, in the order pdfplumber lists that
    kind (``page.chars``, ``page.rects``...): pdfplumber walks the same pdfminer tree,
    depth first, and names kinds by class the same way."""
    order: dict[str, list[int]] = {}
    for seq, obj in enumerate(_leaves(layout_objects)):
        kind = type(obj).__name__.removeprefix("LT").lower()
        order.setdefault(kind, []).append(seq)
    return order


def _leaves(objects: Any) -> Iterator[Any]:
    from pdfminer.layout import LTContainer

    for obj in objects:
        if isinstance(obj, LTContainer):
            yield from _leaves(obj)
        else:
            yield obj


def visible_box(page: Any) -> tuple[float, float, float, float]:
    """The part of the page a viewer shows: the MediaBox cut by the CropBox."""
    mx0, mtop, mx1, mbottom = page.mediabox
    cx0, ctop, cx1, cbottom = page.cropbox
    return (max(mx0, cx0), max(mtop, ctop), min(mx1, cx1), min(mbottom, cbottom))


def _image_is_opaque(image: dict[str, Any]) -> bool:
    # A stencil mask paints only its set pixels; a soft mask or colour-key mask lets
    # what is underneath show through.
    if image.get("imagemask"):
        return False
    attrs = getattr(image.get("stream"), "attrs", None) or {}
    return not any(key in attrs for key in ("SMask", "Mask"))


def collect_paints(
    page: Any, order: dict[str, list[int]], box: tuple[float, float, float, float]
) -> list[Paint] | None:
    """The page's filled shapes and images in drawing order; None when there are more
    than ``MAX_PAINTS`` (the page is then not checked)."""
    page_area = max((box[2] - box[0]) * (box[3] - box[1]), 1.0)
    paints: list[Paint] = []
    for kind in ("rect", "curve"):
        objects: list[dict[str, Any]] = page.objects.get(kind, [])
        seqs = order.get(kind, [])
        for index, obj in enumerate(objects):
            if not obj.get("fill") or index >= len(seqs):
                continue
            x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
            if min(x1 - x0, bottom - top) < MIN_PAINT_SIDE_PT:
                continue
            rgb = to_rgb(obj.get("non_stroking_color"))
            paints.append(Paint(seqs[index], x0, top, x1, bottom, rgb, opaque=True))
            if len(paints) > MAX_PAINTS:
                return None
    images: list[dict[str, Any]] = page.objects.get("image", [])
    image_seqs = order.get("image", [])
    for index, image in enumerate(images):
        if index >= len(image_seqs):
            break
        x0, top, x1, bottom = image["x0"], image["top"], image["x1"], image["bottom"]
        if min(x1 - x0, bottom - top) < MIN_PAINT_SIDE_PT:
            continue
        shown = max(min(x1, box[2]) - max(x0, box[0]), 0) * max(
            min(bottom, box[3]) - max(top, box[1]), 0
        )
        paints.append(
            Paint(
                image_seqs[index],
                x0,
                top,
                x1,
                bottom,
                None,
                opaque=_image_is_opaque(image),
                scan=shown >= SCAN_PAGE_SHARE * page_area,
                photo=shown >= PHOTO_PAGE_SHARE * page_area,
            )
        )
        if len(paints) > MAX_PAINTS:
            return None
    paints.sort(key=lambda p: p.seq)
    return paints


class _Area(Protocol):
    @property
    def x0(self) -> float: ...
    @property
    def top(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def bottom(self) -> float: ...


AreaT = TypeVar("AreaT", bound=_Area)


class _Grid(Generic[AreaT]):
    """Areas by the coarse cells they touch, each cell's list in the given order.
    ``full`` says the areas would have filled more than ``MAX_GRID_CELLS`` cells (the
    grid is then incomplete and must not be used)."""

    def __init__(self, areas: Sequence[AreaT], box: tuple[float, float, float, float]):
        self._cells: dict[tuple[int, int], list[AreaT]] = {}
        self._box = box
        self.full = False
        filled = 0
        for area in areas:
            # Only the visible part matters: a glyph outside it is off the page anyway.
            span = self._span(area.x0, area.top, area.x1, area.bottom)
            if span is None:
                continue
            (i0, i1), (j0, j1) = span
            filled += (i1 - i0 + 1) * (j1 - j0 + 1)
            if filled > MAX_GRID_CELLS:
                self.full = True
                return
            for i in range(i0, i1 + 1):
                for j in range(j0, j1 + 1):
                    self._cells.setdefault((i, j), []).append(area)

    def _span(
        self, x0: float, top: float, x1: float, bottom: float
    ) -> tuple[tuple[int, int], tuple[int, int]] | None:
        box = self._box
        x0, x1 = max(x0, box[0]), min(x1, box[2])
        top, bottom = max(top, box[1]), min(bottom, box[3])
        if x0 > x1 or top > bottom:
            return None
        return (int(x0 // GRID_PT), int(x1 // GRID_PT)), (
            int(top // GRID_PT),
            int(bottom // GRID_PT),
        )

    def at(self, x: float, y: float) -> list[AreaT]:
        return self._cells.get((int(x // GRID_PT), int(y // GRID_PT)), [])

    def near(self, x0: float, top: float, x1: float, bottom: float) -> Iterator[AreaT]:
        """The areas in every cell the box touches (an area in several cells repeats)."""
        span = self._span(x0, top, x1, bottom)
        if span is None:
            return
        (i0, i1), (j0, j1) = span
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                yield from self._cells.get((i, j), ())


def _overlap(a0: float, a1: float, b0: float, b1: float) -> bool:
    """Whether two spans overlap by at least ``MODE_OVERLAP`` of the shorter one."""
    return min(a1, b1) - max(a0, b0) >= MODE_OVERLAP * min(a1 - a0, b1 - b0)


def _unpainted(char: dict[str, Any], modes: _Grid[ModeBox]) -> HiddenKind | None:
    """Whether a character lies in a text object drawn in a mode that paints nothing."""
    x0, top, x1, bottom = char["x0"], char["top"], char["x1"], char["bottom"]
    found: HiddenKind | None = None
    for area in modes.near(x0, top, x1, bottom):
        if _overlap(x0, x1, area.x0, area.x1) and _overlap(top, bottom, area.top, area.bottom):
            if area.mode != CLIP_ONLY_MODE:
                return "invisible"
            found = "clip_only"
    return found


def _why_hidden(
    char: dict[str, Any],
    seq: int | None,
    grid: _Grid[Paint],
    box: tuple[float, float, float, float],
    unpainted: HiddenKind | None,
) -> HiddenKind | None:
    x0, top, x1, bottom = char["x0"], char["top"], char["x1"], char["bottom"]
    cx, cy = (x0 + x1) / 2, (top + bottom) / 2
    if not (box[0] <= cx <= box[2] and box[1] <= cy <= box[3]):
        return "off_page"
    # Upright glyphs: their height is the size; turned ones: the longer side.
    size = char.get("size") or 0.0
    if not char.get("upright", True):
        size = max(x1 - x0, bottom - top)
    if size < MIN_VISIBLE_PT:
        return "tiny"
    below: Paint | None = None
    over_photo = False
    for paint in grid.at(cx, cy):
        if not paint.contains(cx, cy):
            continue
        over_photo = over_photo or paint.photo
        if seq is None or paint.seq < seq:
            below = paint
        elif paint.scan:
            return None  # text under a scanned page: its OCR layer
        elif paint.opaque and paint.covers(x0, top, x1, bottom):
            return "covered"
    if below is not None and below.scan:
        return None  # OCR text over a scanned page
    if unpainted is not None:
        return None if over_photo else unpainted  # a photographed page's OCR layer
    ground = WHITE if below is None else below.rgb
    ink = to_rgb(char.get("non_stroking_color"), char.get("ncs"))
    if ground is not None and ink is not None and same_colour(ink, ground):
        return "background"
    return None


def page_visibility(page: Any, *, deadline: float, modes: PageModes) -> PageVisibility:
    """Judge every character of a pdfplumber page (see the module notes); ``modes`` are
    the page's text objects that paint nothing (``documents.render_mode``)."""
    result = PageVisibility()
    chars: list[dict[str, Any]] = page.chars
    if not chars:
        return result
    box = visible_box(page)
    order = drawing_order(page.layout)
    char_seqs: list[int] | None = order.get("char", [])
    if char_seqs is None or len(char_seqs) != len(chars):
        # Cannot happen while pdfplumber walks the tree as we do; without drawing order
        # every paint is taken as lying below the text (nothing counts as covered).
        char_seqs = None
    paints = collect_paints(page, order, box)
    if paints is None:
        result.unchecked = f"more than {MAX_PAINTS:,} filled shapes and images"
        return result
    grid = _Grid(paints, box)
    unpainted = _Grid(modes.boxes, box)
    if grid.full or unpainted.full:
        what = "filled shapes and images" if grid.full else "text that paints nothing"
        result.unchecked = f"{what} spread over too much of the page"
        return result
    for index, char in enumerate(chars):
        # Looked at for every character: one character can meet many stacked boxes.
        if time.monotonic() > deadline:
            result.unchecked = "the time budget ran out"
            return result
        if not str(char.get("text", "")).strip():
            continue
        seq = char_seqs[index] if char_seqs is not None else None
        mode = _unpainted(char, unpainted) if modes.boxes else None
        kind = _why_hidden(char, seq, grid, box, mode)
        if kind is not None:
            result.hidden[id(char)] = kind
    # What the render modes read before pdfium's walk stopped has been used all the same.
    result.unchecked = modes.unchecked
    return result


def summarise(
    hidden: Mapping[int, PageHidden], unchecked: Mapping[int, str], pages: Iterable[int]
) -> HiddenText | None:
    """What the document reading result records about hidden text on ``pages``
    (0-based; the pages whose text came from the text layer). None: nothing to report."""
    wanted = sorted(set(pages))
    found = [(n, hidden[n]) for n in wanted if n in hidden and hidden[n].words]
    missed = [(n, unchecked[n]) for n in wanted if n in unchecked]
    if not found and not missed:
        return None
    kinds = set().union(*(page.kinds for _, page in found)) if found else set()
    first = [word for _, page in found for word in page.first][:FIRST_HIDDEN_WORDS]
    words = sum(page.words for _, page in found)
    return HiddenText(
        words=words,
        matters=words > HARMLESS_WORDS or any(page.matters for _, page in found),
        kinds=[KIND_LABELS[kind] for kind in KIND_LABELS if kind in kinds],
        pages=[n + 1 for n, _ in found][:MAX_PAGES_LISTED],
        sample=clean_text(redact_text(" ".join(first)), SAMPLE_CHARS),
        unchecked=_unchecked(missed),
    )


def _unchecked(missed: list[tuple[int, str]]) -> str | None:
    if not missed:
        return None
    by_reason: dict[str, list[int]] = {}
    for number, why in missed:
        by_reason.setdefault(why, []).append(number + 1)
    parts = []
    for why, numbers in by_reason.items():
        shown = ", ".join(str(n) for n in numbers[:5]) + (" ..." if len(numbers) > 5 else "")
        label = "page" if len(numbers) == 1 else f"{len(numbers)} pages"
        parts.append(f"{label} {shown}: {why}")
    return "; ".join(parts)
