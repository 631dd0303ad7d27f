"""Reading a new invoice with a supplier's template, at 0 tokens.

For each learned field the anchors are tried best first: find the label on the page
(anywhere: more lines push the totals down, a longer address pushes everything), take
the nearest hit to where it was learned, read the value next to it in the learned
format. Only when no label is found is the stored position used, with lower certainty.
"""

from __future__ import annotations

from collections.abc import Iterator

from vouchflow.documents.layout import Layout, Word
from vouchflow.invoice.templates.formats import find_currencies
from vouchflow.invoice.templates.identity import identity_of, name_key
from vouchflow.invoice.templates.models import (
    Anchor,
    FieldReading,
    FieldTemplate,
    SupplierTemplate,
    TemplateReading,
)
from vouchflow.invoice.templates.page import (
    Cell,
    PageView,
    normalise_label,
    relative_box,
    view_of,
)
from vouchflow.invoice.templates.values import Read, read_value

# Certainty of a value read next to its label in the learned format; lower when the
# format differed, when only the stored position led to it, or anchors disagreed.
CERTAINTY = {"same_segment": 0.95, "right_of": 0.95, "below": 0.9, "position": 0.6}
LOOSE_FACTOR = 0.8
# How far (points) a value may sit from where its label's offset puts it.
POSITION_SLACK_X = 40.0
POSITION_SLACK_Y = 30.0


def read_with_template(
    template: SupplierTemplate, layout: Layout | None, text: str
) -> TemplateReading:
    view = view_of(layout, text)
    currency = None
    fields: dict[str, FieldReading] = {}
    # Currency first: amounts are converted to minor units in it.
    order = sorted(template.fields.values(), key=lambda f: f.field != "currency")
    for spec in order:
        reading = _read_field(view, template, spec, currency)
        fields[spec.field] = reading
        if spec.field == "currency" and reading.value:
            currency = reading.value
    if currency is None:
        currency = (
            _only_currency(text)
            or fields.get("currency", FieldReading(field="currency", value=None)).value
        )
    return TemplateReading(
        template_id=template.template_id,
        version=template.version,
        fields=fields,
        identity=identity_of(text or " ".join(w.text for _, w in view.layout.words())),
    )


def _only_currency(text: str) -> str | None:
    codes = {code for code, _, _, _ in find_currencies(text)}
    return codes.pop() if len(codes) == 1 else None


def _read_field(
    view: PageView, template: SupplierTemplate, spec: FieldTemplate, currency: str | None
) -> FieldReading:
    if spec.kind == "amount" and currency is None:
        currency = (
            template.fields["currency"].learned_value if "currency" in template.fields else None
        )
    for anchor in spec.anchors:
        for words, cell in _targets(view, anchor):
            text = " ".join(w.text for w in words)
            found = read_value(
                spec.kind, text, spec.format, spec.loose_format, currency, template.supplier_name
            )
            if found is None:
                continue
            return _reading(spec, anchor, found, words, cell)
    if spec.kind == "name":
        return _name_anywhere(view, template)
    if spec.kind == "currency":
        only = _only_currency(" ".join(c.text for c in view.cells))
        if only is not None:
            return FieldReading(
                field=spec.field, value=only, printed=only, certainty=0.7, relation="position"
            )
    return FieldReading(
        field=spec.field,
        value=None,
        problem="none of the learned labels ("
        + ", ".join(repr(a.label) for a in spec.anchors if a.label)
        + ") was found with a value next to it",
    )


def _reading(
    spec: FieldTemplate, anchor: Anchor, found: Read, words: list[Word], cell: Cell
) -> FieldReading:
    certainty = CERTAINTY[anchor.relation] * (1.0 if found.strict else LOOSE_FACTOR)
    return FieldReading(
        field=spec.field,
        value=found.value,
        printed=found.printed,
        label=anchor.label or None,
        relation=anchor.relation,
        page=cell.page,
        box=relative_box(words, cell.page_width, cell.page_height),
        certainty=round(certainty, 3),
    )


def _name_anywhere(view: PageView, template: SupplierTemplate) -> FieldReading:
    key = template.supplier_key
    for cell in view.cells:
        if key and key in name_key(cell.text):
            return FieldReading(
                field="supplier_name",
                value=template.supplier_name,
                printed=cell.text,
                relation="position",
                page=cell.page,
                box=relative_box(cell.words, cell.page_width, cell.page_height),
                certainty=0.85,
            )
    return FieldReading(
        field="supplier_name",
        value=None,
        problem=f"the supplier's name {template.supplier_name!r} is not on the page",
    )


# ---- where to look ----------------------------------------------------------------------


def _label_hits(view: PageView, label: str) -> Iterator[tuple[Cell, int]]:
    """(cell, index of the first word after the label) wherever the label's words stand
    in a run of words (a label is usually the run's start, but may follow other words)."""
    for cell in view.cells:
        words = cell.words
        for i in range(len(words)):
            for k in range(i + 1, len(words) + 1):
                seen = normalise_label(" ".join(w.text for w in words[i:k]))
                if seen == label:
                    yield cell, k
                    break
                if len(seen) > len(label):
                    break
            else:
                continue
            break


def _targets(view: PageView, anchor: Anchor) -> Iterator[tuple[list[Word], Cell]]:
    """Runs of words where the anchor's value may be, most likely first."""
    if anchor.relation == "position":
        yield from _at_position(view, anchor)
        return
    hits = sorted(_label_hits(view, anchor.label), key=lambda hit: _distance(hit[0], anchor))
    for cell, k in hits[:3]:
        # Right after the label: the value's words and a separator, not words further on
        # ("Date : 31/01/2026", not "DATE DE LIVRAISON : 28/01/2026").
        rest = cell.words[k : k + len(anchor.printed.split()) + 1]
        if rest:
            yield rest, cell
        if anchor.relation in ("right_of", "same_segment"):
            right = sorted(
                (c for c in view.cells_on_line(cell.line) if c.segment.x0 >= cell.segment.x1),
                key=lambda c: c.segment.x0,
            )
            for other in right[:2]:
                yield other.words, other
        if anchor.relation == "below":
            yield from _below(view, cell, anchor)


def _distance(cell: Cell, anchor: Anchor) -> float:
    if anchor.label_box is None:
        return 0.0
    x = cell.segment.x0 / cell.page_width - anchor.label_box.x0
    y = cell.segment.top / cell.page_height - anchor.label_box.top
    return (abs(cell.page - anchor.page) * 10) + (x * x + y * y) ** 0.5


def _below(view: PageView, label: Cell, anchor: Anchor) -> Iterator[tuple[list[Word], Cell]]:
    """Cells under the label, in the column the value was learned in, nearest first."""
    want_x0 = label.segment.x0 + anchor.dx
    want_width = (anchor.value_box.x1 - anchor.value_box.x0) * label.page_width
    limit = max(anchor.dy * 2, anchor.dy + 40)
    under = [
        c
        for c in view.cells
        if c.page == label.page
        and c.segment.top > label.segment.top + 1
        and c.segment.top - label.segment.top <= limit
        and c.segment.x1 >= min(want_x0, label.segment.x0) - POSITION_SLACK_X / 2
        and c.segment.x0 <= max(want_x0 + want_width, label.segment.x1) + POSITION_SLACK_X / 2
    ]
    under.sort(key=lambda c: abs(c.segment.top - (label.segment.top + anchor.dy)))
    for cell in under:
        yield cell.words, cell


def _at_position(view: PageView, anchor: Anchor) -> Iterator[tuple[list[Word], Cell]]:
    box = anchor.value_box
    near: list[tuple[float, Cell]] = []
    for cell in view.cells:
        if cell.page != anchor.page:
            continue
        x0, top = box.x0 * cell.page_width, box.top * cell.page_height
        dx = abs(cell.segment.x0 - x0)
        dy = abs(cell.segment.top - top)
        overlaps = (
            cell.segment.x0 <= box.x1 * cell.page_width + POSITION_SLACK_X
            and cell.segment.x1 >= x0 - POSITION_SLACK_X
        )
        if overlaps and dy <= POSITION_SLACK_Y:
            near.append((dy * 2 + dx, cell))
    near.sort(key=lambda item: item[0])
    for _, cell in near:
        yield cell.words, cell
