"""Read an invoice's header fields from the page the way a person does.

From the words and their positions (``documents.layout``): find each label (in six
languages, ``page_labels``), take the value printed right of it, after it in the same
segment, or under it (a header table: labels in one row, values in the next); parse
it as the field's type; weigh every candidate by how surely its label names the field
and how it sits. Totals are chosen together, as the amounts that agree with each
other (``page_totals``); the supplier is the issuer, never the buyer
(``page_supplier``).

Every field keeps its evidence (label, value, page and box) and a certainty that
means something: a value with a sure label in a clear position and, for amounts,
confirmed by arithmetic scores high; a guess scores low, so routing sends it to a
person rather than drafting it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from vouchflow.documents.layout import Layout, Line, Segment, group_lines
from vouchflow.invoice.extraction.numbers import (
    BadDate,
    FoundDate,
    detect_currency,
    find_amounts,
    scan_dates,
)
from vouchflow.invoice.extraction.page_labels import (
    ALL_FIELD_LABELS,
    BUYER,
    SELLER,
    TITLE_WORDS,
    Label,
    Role,
    fold,
    match_label,
)

Relation = str  # "inline" | "right" | "below"
_RELATION_WEIGHT: dict[str, float] = {"inline": 1.0, "right": 1.0, "below": 0.9}
_ID_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.\-]*[A-Za-z0-9]|[0-9]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Box:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def of(cls, segment: Segment) -> Box:
        return cls(segment.page, segment.x0, segment.top, segment.x1, segment.bottom)

    def describe(self) -> str:
        return f"page {self.page + 1} at x {self.x0:.0f}-{self.x1:.0f}, y {self.top:.0f}"


@dataclass
class Candidate:
    """One reading of a field: its value, where it was and how sure we are."""

    value: object
    weight: float
    label: str
    raw: str
    box: Box
    line: int
    role: Role | str = ""

    @property
    def evidence(self) -> str:
        said = " ".join(part for part in (self.label, self.raw) if part)
        return f"{said} ({self.box.describe()})"


@dataclass
class LabelHit:
    label: Label
    segment: Segment
    line: Line
    index: int  # segment index within the line
    rest: str


_QUALIFIER = re.compile(
    r"^(?:netto|brutto|net|gross|excl\.?|incl\.?|ht|ttc|hors\s+taxes|toutes\s+taxes|"
    r"exkl\.?|inkl\.?|ohne\s+ust\.?|mit\s+ust\.?)\s*:?$"
)


@dataclass
class PageContext:
    layout: Layout
    lines: list[Line]
    hits: list[LabelHit] = field(default_factory=list)
    month_first: bool = False
    # Whether the page itself shows which comes first in numeric dates (a day above 12).
    date_order_known: bool = False

    def hits_for(self, role: Role) -> list[LabelHit]:
        return [h for h in self.hits if h.label.role == role]


def build_context(layout: Layout) -> PageContext:
    lines = group_lines(layout)
    ctx = PageContext(layout, lines)
    labels = ALL_FIELD_LABELS + SELLER + BUYER
    for line in lines:
        first_hit = len(ctx.hits)
        for index, segment in enumerate(line.segments):
            found = match_label(segment.text, labels)
            following = line.segments[index + 1] if index + 1 < len(line.segments) else None
            if following is not None and (found is None or found[0].weight < 0.6):
                # "Facture | n° : | 123": a label split over two cells.
                joined = match_label(f"{segment.text} {following.text}", labels)
                stronger = joined is not None and joined[0].weight > (
                    found[0].weight if found else 0
                )
                if joined is not None and stronger and not joined[1]:
                    ctx.hits.append(LabelHit(joined[0], following, line, index + 1, ""))
                    continue
            if found is None:
                continue
            if not found[1] and following is not None and _QUALIFIER.match(fold(following.text)):
                # "Gesamtsumme | netto | 643,99": the qualifier in the next cell decides.
                joined = match_label(f"{segment.text} {following.text}", labels)
                if joined is not None:
                    found = (joined[0], "")
            ctx.hits.append(LabelHit(found[0], segment, line, index, found[1]))
        _bare_title_in_header_row(ctx, line, {h.index for h in ctx.hits[first_hit:]})
    text = "\n".join(line.text for line in lines)
    currency, _ = detect_currency(text)
    ctx.month_first = currency == "USD" and not re.search(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b", text)
    firsts = [
        (int(a), int(b))
        for a, b in re.findall(r"(?<![\d.])(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}\b", text)
    ]
    if any(a > 12 for a, _ in firsts):
        ctx.month_first, ctx.date_order_known = False, True
    elif any(b > 12 for _, b in firsts):
        ctx.month_first, ctx.date_order_known = True, True
    ctx.date_order_known = ctx.date_order_known or bool(
        re.search(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b", text)
    )
    return ctx


# A column header that is only the document's title word ("Factuur", "Invoice") names the
# number printed under it when the row is a header row of other labels.
_HEADER_TITLE = Label("invoice_number", re.compile(r"^"), 0.75)


def _bare_title_in_header_row(ctx: PageContext, line: Line, labelled: set[int]) -> None:
    """``labelled``: the segments of ``line`` already found to be labels."""
    if len(labelled) < 2:
        return
    for index, segment in enumerate(line.segments):
        folded = fold(segment.text)
        if index not in labelled and TITLE_WORDS.fullmatch(folded.rstrip(" :")):
            ctx.hits.append(LabelHit(_HEADER_TITLE, segment, line, index, ""))


# ---- where values sit relative to a label -------------------------------------------


def awaits_value(text: str) -> bool:
    """A cell ending in a colon ("Name:", "To:") is a label waiting for its value."""
    return text.rstrip().endswith(":")


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def value_spots(ctx: PageContext, hit: LabelHit) -> list[tuple[str, Relation, Box, int]]:
    """Text that may be this label's value: after it in its segment, the segments to its
    right on the same line, and the segment under it (within two lines)."""
    spots: list[tuple[str, Relation, Box, int]] = []
    line = hit.line
    if hit.rest:
        spots.append((hit.rest, "inline", Box.of(hit.segment), line.index))
    for seg in line.segments[hit.index + 1 : hit.index + 4]:
        if match_label(seg.text, ALL_FIELD_LABELS) is not None and spots:
            break  # the next label starts: its value is not ours
        spots.append((seg.text, "right", Box.of(seg), line.index))
    if len(line.segments) == hit.index + 1:
        wrapped = wrapped_value_right(ctx, hit)
        if wrapped is not None:
            spots.append(wrapped)
    label = hit.segment
    height = max(label.bottom - label.top, 6.0)
    for nxt in ctx.lines[line.index + 1 : line.index + 4]:
        if nxt.page != line.page or nxt.top - label.bottom > 2.6 * height:
            break
        for seg in nxt.segments:
            width = min(seg.x1 - seg.x0, label.x1 - label.x0)
            # Under the label: overlapping it, or starting within its span (values are
            # often centred or right-aligned under a left-aligned header).
            starts_under = label.x0 - 10 <= seg.x0 <= label.x1
            if starts_under or _overlap(seg.x0, seg.x1, label.x0, label.x1) > 0.3 * max(width, 1.0):
                spots.append((seg.text, "below", Box.of(seg), nxt.index))
                break
        else:
            continue
        break
    return spots


def wrapped_value_right(
    ctx: PageContext, hit: LabelHit, *, own_line: bool = False
) -> tuple[str, Relation, Box, int] | None:
    """A value printed right of its label but vertically centred on it, possibly wrapped
    over several lines (form-style viewers). By default the label's line holds nothing to
    its right; with ``own_line`` its right-hand cell is one of the value's lines."""
    label = hit.segment
    height = max(label.bottom - label.top, 6.0)
    lo, hi = label.top - 1.6 * height, label.bottom + 1.6 * height
    # The value's column ends where the next label on the label's own line starts (a
    # second column of the form, often the other party's).
    limit = min(
        (
            s.x0
            for s in hit.line.segments[hit.index + 1 :]
            if awaits_value(s.text) or match_label(s.text, ALL_FIELD_LABELS)
        ),
        default=float("inf"),
    )
    parts: list[Segment] = []
    for line in ctx.lines[max(0, hit.line.index - 3) : hit.line.index + 4]:
        if line.page != hit.line.page or (line is hit.line and not own_line):
            continue
        if line.top < lo or line.bottom > hi:
            continue
        if line is not hit.line and any(
            _overlap(s.x0, s.x1, label.x0, label.x1) > 0 for s in line.segments
        ):
            continue  # another row of the form: its label sits where ours does
        right = [s for s in line.segments if label.x1 < s.x0 < limit]
        if not right:
            continue
        first = right[0]
        # Only the column next to the label: stop before the next label's column.
        if parts and abs(first.x0 - parts[0].x0) > 2 * height:
            continue
        if match_label(first.text, ALL_FIELD_LABELS) is not None:
            continue
        parts.append(first)
    if not parts:
        return None
    parts.sort(key=lambda s: s.top)
    widest = max(s.x1 - s.x0 for s in parts)
    text = parts[0].text
    for prev, seg in pairwise(parts):
        # A word broken at the column edge continues without a space; so does a code
        # broken after its separator ("INV-2023-EASY-" / "001").
        broken = (
            prev.text[-1:].isalpha()
            and seg.text[:1].islower()
            and (prev.x1 - prev.x0) >= 0.9 * widest
            and " " not in prev.text
        ) or (prev.text[-1:] in "-/_." and " " not in prev.text and seg.text[:1].isalnum())
        text += ("" if broken else " ") + seg.text
    top = parts[0]
    box = Box(
        top.page, min(s.x0 for s in parts), top.top, max(s.x1 for s in parts), parts[-1].bottom
    )
    return text, "right", box, hit.line.index


# ---- value parsers ----------------------------------------------------------------


def parse_identifier(text: str) -> str | None:
    """The first token that looks like a document number: has a digit, is not a date."""
    cleaned = re.sub(r"^(?:n[°º]|no\.?|nr\.?|#)\s*", "", text.strip(), flags=re.I)
    for m in _ID_TOKEN.finditer(cleaned):
        token = m.group()
        if not _DIGIT.search(token) or len(token) > 40:
            if fold(token) in {"du", "vom", "of", "from", "le", "del", "van"}:
                return None  # "Nr. vom ..." has no number
            continue
        if scan_dates(token):
            return None
        return token
    return None


_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}\b")


def ambiguous_date(raw: str) -> bool:
    """03/11/2013: the 3rd of November or the 11th of March?"""
    m = _NUMERIC_DATE.search(raw)
    if m is None:
        return False
    return int(m.group(1)) <= 12 and int(m.group(2)) <= 12 and m.group(1) != m.group(2)


def parse_date(text: str, month_first: bool) -> dt.date | BadDate | None:
    found = scan_dates(text, prefer_month_first=month_first)
    if not found:
        return None
    first = found[0]
    return first.value if isinstance(first, FoundDate) else first


def parse_amounts(text: str) -> list[Decimal]:
    return [a.value for a in find_amounts(text) if a.decimals == 2 or a.has_currency]


# ---- field readers ----------------------------------------------------------------


def _in_header_block(ctx: PageContext, hit: LabelHit) -> bool:
    """Within two lines of an invoice title or a sure invoice-number label, on the same
    page and in the same column band."""

    for line in ctx.lines[max(0, hit.line.index - 2) : hit.line.index + 3]:
        if line.page != hit.line.page or (line is hit.line and hit.label.role == "invoice_number"):
            continue
        for seg in line.segments:
            if abs(seg.x0 - hit.segment.x0) > 160:
                continue
            folded = fold(seg.text)
            if TITLE_WORDS.match(folded) and len(folded) <= 40:
                return True
            found = match_label(seg.text, ALL_FIELD_LABELS)
            if found and found[0].role == "invoice_number" and found[0].weight >= 0.8:
                return True
    return False


def labelled_candidates(ctx: PageContext, role: Role) -> list[Candidate]:
    out: list[Candidate] = []
    for hit in ctx.hits_for(role):
        label_weight = hit.label.weight
        if label_weight < 0.6 and _in_header_block(ctx, hit):
            # A bare "Date" or "No." beside the invoice title or number: the header block.
            label_weight = 0.85
        for text, relation, box, line_index in value_spots(ctx, hit):
            weight = label_weight * _RELATION_WEIGHT[relation]
            value: object
            if role == "invoice_number":
                value = parse_identifier(text)
            elif role in ("issue_date", "due_date"):
                value = parse_date(text, ctx.month_first)
            else:
                amounts = parse_amounts(text)
                value = amounts[-1] if amounts else None
            if value is None:
                continue
            if (
                role in ("issue_date", "due_date")
                and not ctx.date_order_known
                and ambiguous_date(text)
            ):
                weight = min(weight, 0.6)  # day and month could be swapped: a person checks
            raw = "" if relation == "inline" else text  # inline: the segment says it all
            out.append(Candidate(value, weight, hit.segment.text, raw, box, line_index, role))
            break  # the nearest spot holding a value of the right type
    return out


def best(candidates: list[Candidate]) -> Candidate | None:
    if not candidates:
        return None
    # Highest weight; among equals, the first on the page (the header, not a footer repeat).
    return max(candidates, key=lambda c: (round(c.weight, 3), -c.line))


def agreement(candidates: list[Candidate], chosen: Candidate) -> float:
    """Share of the weight behind the chosen value: 1.0 when every label agrees."""
    total = sum(c.weight for c in candidates)
    same = sum(c.weight for c in candidates if c.value == chosen.value)
    return same / total if total else 0.0
