"""Learning a supplier template from an approved invoice.

For each key field the approved value is looked for on the page, in any way it can be
printed; each place it is found becomes an anchor: the label left of it (same run of
words, or the cell to the left), the label above it (a column header), and its place on
the page. A field that cannot be found is left out: the generic extractor stays
responsible for it. A previous version's anchors are kept for fields this page could not
confirm, so one odd invoice does not make the template forget.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from schemas.invoice.invoice import Invoice
from vouchflow.documents.layout import Layout, Word
from vouchflow.invoice.templates.identity import (
    SupplierIdentity,
    find_account_numbers,
    find_ibans,
    find_vat_ids,
    name_key,
)
from vouchflow.invoice.templates.labels import label_prior
from vouchflow.invoice.templates.models import (
    FIELD_KINDS,
    TEMPLATE_FIELDS,
    Anchor,
    FieldTemplate,
    Relation,
    SupplierTemplate,
)
from vouchflow.invoice.templates.page import (
    Cell,
    PageView,
    has_letters,
    normalise_label,
    relative_box,
    view_of,
    words_box,
)
from vouchflow.invoice.templates.values import Match, approved_json, match_value

MAX_SPAN_WORDS = 6
MAX_LABEL_WORDS = 8
MAX_ANCHORS = 4
# A column header is at most this far above its value (points).
MAX_BELOW = 80.0
# Words that start the buyer's block: identifiers near them are the buyer's, not ours.
BUYER_LABELS = (
    "bill to", "billed to", "invoice to", "sold to", "ship to", "customer", "client",
    "buyer", "kunde", "rechnungsempfänger", "empfänger", "acheteur", "destinataire",
    "facturé à", "klant", "cliente", "destinatario", "facturar a",
)  # fmt: skip


def template_id_for(supplier_name: str) -> str:
    """One template per supplier: the id derives from the supplier's name key."""
    key = name_key(supplier_name) or supplier_name
    return "tpl-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def learn_template(
    layout: Layout | None,
    text: str,
    approved: Invoice,
    previous: SupplierTemplate | None = None,
    *,
    corrected: frozenset[str] | set[str] = frozenset(),
) -> SupplierTemplate:
    """A template from an approved invoice's page (the next version of `previous`)."""
    view = view_of(layout, text)
    supplier = approved.supplier_name or (previous.supplier_name if previous else "")
    if not supplier:
        raise ValueError("an approved invoice without a supplier name cannot teach a template")
    fields: dict[str, FieldTemplate] = {}
    for field in TEMPLATE_FIELDS:
        value = getattr(approved, field)
        if value is None or value == "":
            continue
        learned = _learn_field(view, field, value, approved.currency)
        if learned is not None:
            learned.corrected = field in corrected
            fields[field] = learned
        elif previous is not None and field in previous.fields and field not in corrected:
            # Not found on this page, but the approver did not change it either.
            fields[field] = previous.fields[field]
    supplier_ids, buyer_ids = _identities(view, supplier, approved)
    identity = supplier_ids
    buyer = buyer_ids
    if previous is not None:
        identity = previous.identity.merged(supplier_ids)
        buyer = previous.buyer_identity.merged(buyer_ids)
        # An id seen on the supplier's side once stays theirs.
        buyer = SupplierIdentity(
            vat_ids=[v for v in buyer.vat_ids if v not in identity.vat_ids],
            ibans=[v for v in buyer.ibans if v not in identity.ibans],
            account_numbers=[v for v in buyer.account_numbers if v not in identity.account_numbers],
        )
    return SupplierTemplate(
        template_id=previous.template_id if previous else template_id_for(supplier),
        supplier_name=supplier,
        supplier_key=name_key(supplier),
        version=previous.version if previous else 0,
        identity=identity,
        buyer_identity=buyer,
        fields=fields,
        layout_source=view.layout.source,
    )


def _learn_field(
    view: PageView, field: str, value: object, currency: str | None
) -> FieldTemplate | None:
    kind = FIELD_KINDS[field]
    anchors: list[Anchor] = []
    first: Match | None = None
    for cell, start, end, match in _occurrences(view, kind, value, currency):
        first = first or match
        anchors.extend(_anchors(view, field, cell, start, end, match.printed))
    if first is None:
        return None
    anchors.sort(key=lambda a: (-a.score, a.page, a.value_box.top))
    unique: list[Anchor] = []
    for anchor in anchors:
        if not any(a.relation == anchor.relation and a.label == anchor.label for a in unique):
            unique.append(anchor)
    return FieldTemplate(
        field=field,
        kind=kind,
        format=first.format,
        loose_format=first.loose_format,
        anchors=unique[:MAX_ANCHORS],
        learned_value=approved_json(kind, value),
    )


def _occurrences(
    view: PageView, kind: str, value: object, currency: str | None
) -> Iterator[tuple[Cell, int, int, Match]]:
    """(cell, first word, last word + 1, match) for every place the value is printed;
    overlapping spans count once (the longest)."""
    for cell in view.cells:
        words = cell.words
        taken: list[tuple[int, int]] = []
        for size in range(min(MAX_SPAN_WORDS, len(words)), 0, -1):
            for start in range(0, len(words) - size + 1):
                end = start + size
                if any(start < b and a < end for a, b in taken):
                    continue
                text = " ".join(w.text for w in words[start:end])
                match = match_value(kind, text, value, currency)  # type: ignore[arg-type]
                if match is None or not _whole(match, text, kind):
                    continue
                taken.append((start, end))
                yield cell, start, end, match


def _whole(match: Match, text: str, kind: str) -> bool:
    """The match covers the span's words (not a number inside a longer token); a
    currency mark may be glued to its amount ("£347.40")."""
    outside = text[: match.start] + text[match.end :]
    if kind == "currency":
        return not any(ch.isalpha() for ch in outside)
    return not outside.strip()


def _anchors(
    view: PageView, field: str, cell: Cell, start: int, end: int, printed: str
) -> list[Anchor]:
    width, height = view.size(cell.page)
    value_words = cell.words[start:end]
    value_box = relative_box(value_words, width, height)
    vx0, vtop, vx1, _ = words_box(value_words)
    anchors: list[Anchor] = []

    def add(relation: Relation, label_words: list[Word], score: float) -> None:
        label = normalise_label(" ".join(w.text for w in label_words))
        if not _label_like(label):
            return
        lx0, ltop, _, _ = words_box(label_words)
        anchors.append(
            Anchor(
                relation=relation,
                label=label,
                page=cell.page,
                value_box=value_box,
                label_box=relative_box(label_words, width, height),
                dx=round(vx0 - lx0, 2),
                dy=round(vtop - ltop, 2),
                score=round(score + label_prior(field, label), 3),
                printed=printed,
            )
        )

    if start > 0:
        before = cell.words[:start]
        if _label_like(normalise_label(" ".join(w.text for w in before))):
            add("same_segment", before, 0.95 if len(before) <= 4 else 0.6)
        else:
            # "Rechnung Nr. 210111 vom 30.05.2025": the words just before the value lead
            # to it; the rest of the run changes from one invoice to the next.
            for k in range(1, min(3, start) + 1):
                near = cell.words[start - k : start]
                if _label_like(normalise_label(" ".join(w.text for w in near))):
                    add("same_segment", near, 0.7)
                    break
    else:
        left = [c for c in view.cells_on_line(cell.line) if c.segment.x1 <= cell.segment.x0]
        if left:
            label_cell = max(left, key=lambda c: c.segment.x1)
            n = len(label_cell.words)
            gap = cell.segment.x0 - label_cell.segment.x1
            score = (0.95 if n <= 4 else 0.5) - (0.3 if gap > 250 else 0.0)
            add("right_of", label_cell.words, score)
    header = _header_above(view, cell, vx0, vx1, vtop)
    if header is not None:
        dy = vtop - header.segment.top
        # A header over a column of several numbers is a table's (a line's value, not a
        # total): a weaker guide than a label with one value under it.
        stacked = _stacked_below(view, cell, vx0, vx1)
        add("below", header.words, 0.85 - dy / 400 - (0.3 if stacked else 0.0))
    anchors.append(
        Anchor(
            relation="position",
            label="",
            page=cell.page,
            value_box=value_box,
            score=0.2,
            printed=printed,
        )
    )
    return anchors


def _stacked_below(view: PageView, cell: Cell, x0: float, x1: float) -> bool:
    for other in view.cells:
        seg = other.segment
        if other.page != cell.page or other is cell:
            continue
        in_column = seg.x1 >= x0 - 4 and seg.x0 <= x1 + 4
        if in_column and 0 < seg.top - cell.segment.top <= 30:
            number = any(ch.isdigit() for ch in seg.text)
            if number and not _label_like(normalise_label(seg.text)):
                return True
    return False


def _label_like(label: str) -> bool:
    """Words that can guide a person to a value: letters, short, not themselves a value
    (a number above a number is a table, not a header)."""
    if not label or not has_letters(label) or len(label.split()) > MAX_LABEL_WORDS:
        return False
    digits = sum(ch.isdigit() for ch in label)
    if digits > 0.3 * len(label.replace(" ", "")):
        return False
    return not any(sum(ch.isdigit() for ch in word) >= 3 for word in label.split())


def _header_above(view: PageView, cell: Cell, x0: float, x1: float, top: float) -> Cell | None:
    """The nearest labelled cell above the value that overlaps its columns."""
    best: Cell | None = None
    for other in view.cells:
        if other.page != cell.page or other.segment.bottom > top + 1:
            continue
        if top - other.segment.top > MAX_BELOW or other is cell:
            continue
        seg = other.segment
        if seg.x1 < x0 - 4 or seg.x0 > x1 + 4:
            continue
        if not _label_like(normalise_label(seg.text)) or len(seg.words) > 6:
            continue
        if best is None or seg.top > best.segment.top:
            best = other
    return best


def _identities(
    view: PageView, supplier: str, approved: Invoice
) -> tuple[SupplierIdentity, SupplierIdentity]:
    """The page's identifiers split into the supplier's and the buyer's: an id is the
    buyer's when it sits nearer the buyer's block (its name or a 'bill to' label) than
    any mention of the supplier's name. Bank details are the payee's: the supplier's."""
    key = name_key(supplier)
    buyer_key = name_key(approved.buyer_name)
    supplier_spots: list[tuple[int, float, float]] = []
    buyer_spots: list[tuple[int, float, float]] = []
    for cell in view.cells:
        seg_key = name_key(cell.text)
        folded = cell.text.casefold()
        spot = (cell.page, cell.segment.x0, cell.segment.top)
        if key and key in seg_key:
            supplier_spots.append(spot)
        if (buyer_key and buyer_key in seg_key) or any(
            folded.startswith(label) for label in BUYER_LABELS
        ):
            buyer_spots.append(spot)

    def nearest(spots: list[tuple[int, float, float]], page: int, x: float, y: float) -> float:
        return min(
            (((sx - x) ** 2 + (sy - y) ** 2) ** 0.5 for p, sx, sy in spots if p == page),
            default=float("inf"),
        )

    # Far from both blocks (a letterhead, a footer) an id is the issuer's.
    far = 200.0
    buyer_votes: dict[str, bool] = {}
    approved_vat = "".join((approved.supplier_vat_id or "").split()).upper()
    ours = SupplierIdentity()
    for cell in view.cells:
        for vat, _, _ in find_vat_ids(cell.text):
            near_us = nearest(supplier_spots, cell.page, cell.segment.x0, cell.segment.top)
            near_them = nearest(buyer_spots, cell.page, cell.segment.x0, cell.segment.top)
            theirs_here = near_them < near_us and near_them <= far and vat != approved_vat
            buyer_votes[vat] = buyer_votes.get(vat, False) or theirs_here
        for iban, _, _ in find_ibans(cell.text):
            if iban not in ours.ibans:
                ours.ibans.append(iban)
        for account, _, _ in find_account_numbers(cell.text):
            if account not in ours.account_numbers:
                ours.account_numbers.append(account)
    for line in view.lines:
        # An IBAN printed across cells ("DE89 3704  0044 ...") is found on the line.
        for iban, _, _ in find_ibans(" ".join(w.text for w in line.words)):
            if iban not in ours.ibans:
                ours.ibans.append(iban)
    ours.vat_ids = [v for v, buyer in buyer_votes.items() if not buyer]
    theirs = SupplierIdentity(vat_ids=[v for v, buyer in buyer_votes.items() if buyer])
    return ours, theirs
