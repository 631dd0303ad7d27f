"""Line-item rows: a description followed by quantity, unit price, optional discount, tax
rate and line total, in whichever order the table prints them.

A row is only accepted when its own arithmetic holds (quantity x unit price, less any
discount = line total, within a cent per unit), which keeps headers, totals and
addresses out. Text layers that print each table cell on its own line are read by
joining the cells of a row back together (see ``_stacked_rows``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from vouchflow.invoice.extraction.numbers import (
    CURRENCY_MARK_RE,
    Amount,
    find_amounts,
    find_percents,
    parse_amount,
)

_QTY_UNIT_WORDS = re.compile(
    r"^(?:x|pcs?|pce|pc|stk|stück|st|units?|ea|each|hrs?|hours?|h|kg|g|l|m|days?|nights?|"
    r"stuks?|pièces?|u)$",
    re.I,
)
_SKIP_ROW = re.compile(
    r"\b(?:sub-?total|total|totaal|summe|subtotaal|balance|amount\s+due|vat|tva|btw|mwst|"
    r"tax)\b\s*[:%(]?\s*(?:\d|$|€|£|\$)",
    re.I,
)


@dataclass(frozen=True)
class Row:
    description: str
    quantity: Decimal | None
    unit_price: Decimal | None
    tax_rate: Decimal | None
    line_total: Decimal
    source: str
    certainty: float


def _rest_is_noise(text: str) -> bool:
    """Between two numbers of a row only currency marks, units and % may appear."""
    stripped = CURRENCY_MARK_RE.sub(" ", text)
    stripped = re.sub(r"\d+(?:[.,]\d+)?\s?%", " ", stripped)
    return all(_QTY_UNIT_WORDS.match(tok) for tok in stripped.split())


def _consistent(qty: Decimal, unit: Decimal, total: Decimal) -> bool:
    if qty <= 0:
        return False
    tolerance = Decimal("0.01") * max(Decimal(1), qty)
    return abs(qty * unit - total) <= tolerance


def _discounted(qty: Decimal, unit: Decimal, discount: Decimal, total: Decimal) -> bool:
    """A discount column holds either a percentage or an amount off the row."""
    if qty <= 0 or discount < 0:
        return False
    tolerance = Decimal("0.01") * max(Decimal(1), qty)
    gross = qty * unit
    if discount <= 100 and abs(gross * (100 - discount) / 100 - total) <= tolerance:
        return True
    return abs(gross - discount - total) <= tolerance


# "Pos. Qty Description ... price amount": a position number then the quantity lead the row.
_LEADING_POS_QTY = re.compile(r"^(\d{1,4})\s+(\d{1,5})\s+(?=[^\d\s])")


def _description(line: str, end: int) -> str:
    text = CURRENCY_MARK_RE.sub(" ", line[:end])
    return re.sub(r"\s+", " ", text).strip(" -:|\t")


def _candidates(nums: list[Amount]) -> list[tuple[Amount, Amount, Amount | None, int]]:
    """(qty, unit, discount, start of the numeric part) in the orders tables use:
    qty, unit, [rate], total | unit, [rate], qty, total | qty, unit, discount, total."""
    out: list[tuple[Amount, Amount, Amount | None, int]] = []
    if len(nums) >= 3:
        q, u = nums[-3], nums[-2]
        out.append((q, u, None, q.start))
        out.append((u, q, None, q.start))
    if len(nums) >= 4:
        q, u, d = nums[-4], nums[-3], nums[-2]
        out.append((q, u, d, q.start))
    out.append((nums[-2], nums[-2], None, nums[-2].start))  # qty 1, unit == total
    return out


# "[Pos.] Qty Description Price Amount": the quantity leads the row.
_LEADING_QTY = re.compile(r"^\s*(?:\d{1,4}\s+)?(\d{1,5})\s+(?=[^\d\s])")


def _leading_qty_row(line: str, nums: list[Amount]) -> Row | None:
    m = _LEADING_QTY.match(line)
    if not m or len(nums) < 2:
        return None
    qty, unit_a, total = Decimal(m.group(1)), nums[-2], nums[-1]
    if qty <= 1 or not unit_a.money_like or unit_a.start < m.end():
        return None
    if not _consistent(qty, unit_a.value, total.value):
        return None
    if not _rest_is_noise(line[unit_a.end : total.start]):
        return None
    description = re.sub(r"\s+", " ", CURRENCY_MARK_RE.sub(" ", line[m.end() : unit_a.start]))
    description = description.strip(" -:|\t")
    if len(re.sub(r"[^A-Za-zÀ-ÿ]", "", description)) < 2:
        return None
    rates = find_percents(line[unit_a.start :])
    return Row(
        description=description,
        quantity=qty,
        unit_price=unit_a.value,
        tax_rate=rates[0] if rates else None,
        line_total=total.value,
        source=line.strip(),
        certainty=0.8,
    )


def parse_row(line: str) -> Row | None:
    """Read one table row, or None when the line is not a self-consistent row."""
    if _SKIP_ROW.search(line):
        return None
    nums = find_amounts(line)
    if len(nums) < 2:
        return None
    total = nums[-1]
    if not total.money_like:
        return None
    leading = _leading_qty_row(line, nums)
    if leading is not None:
        return leading
    for qty_a, unit_a, disc_a, first_start in _candidates(nums):
        qty: Decimal | None
        if qty_a is unit_a:
            qty, unit = None, unit_a.value
            if unit != total.value or not unit_a.money_like:
                continue
            between = line[unit_a.end : total.start]
        else:
            qty, unit = qty_a.value, unit_a.value
            if qty_a.decimals not in (0, 1, 2, 3, 4) or not unit_a.money_like:
                continue
            if qty_a.decimals == 2 and qty_a.has_currency:
                continue
            if disc_a is None and not _consistent(qty, unit, total.value):
                continue
            if disc_a is not None and not _discounted(qty, unit, disc_a.value, total.value):
                continue
            parts = sorted(
                [a for a in (qty_a, unit_a, disc_a) if a is not None], key=lambda a: a.start
            )
            between = " ".join(
                line[a.end : b.start] for a, b in zip(parts, [*parts[1:], total], strict=True)
            )
        if not _rest_is_noise(between):
            continue
        description = _description(line, first_start)
        certainty = 0.85 if qty is not None else 0.6
        if qty is None:
            lead = _LEADING_POS_QTY.match(description)
            if lead and _consistent(Decimal(lead.group(2)), unit, total.value):
                qty, certainty = Decimal(lead.group(2)), 0.8
                description = description[lead.end() :]
            else:
                # Without a quantity column, one unit at the line total is an assumption
                # the layout supports: unit price and total are both printed and equal.
                qty = Decimal(1)
        if len(re.sub(r"[^A-Za-zÀ-ÿ]", "", description)) < 2:
            continue
        rates = find_percents(line[first_start:])
        return Row(
            description=description,
            quantity=qty,
            unit_price=unit,
            tax_rate=rates[0] if rates else None,
            line_total=total.value,
            source=line.strip(),
            certainty=certainty,
        )
    return None


_SPACE_GROUP = re.compile(r"(\d)[  ](\d{3}[,.]\d{2})")

# Column captions; a run of them one per line marks a table whose cells are stacked.
_COLUMN_WORD = re.compile(
    r"^(?:description|item|article|artikel|designation|désignation|beschreibung|omschrijving|"
    r"qty|quantity|qté|quantité|menge|aantal|units?|unit\s+price|price|prix|preis|prijs|"
    r"disc(?:ount)?\.?\s*%?|rabatt\s*%?|remise|tax(?:es)?|vat|tva|btw|mwst\.?|rate|"
    r"amount|total|montant|betrag|bedrag|line\s+total)$",
    re.I,
)
_HEADER_RUN = 3
_TABLE_END = re.compile(
    r"^(?:grand\s+)?(?:total|totaal|summe|gesamt\w*|amount\s+due|balance\s+due)\b", re.I
)
_SUBTOTAL_LINE = re.compile(r"^(?:sub-?\s?total|subtotaal|zwischensumme|sous-total)\b", re.I)
# "--- Food Products ---": a section heading inside a table, not part of any item.
_SECTION_HEADING = re.compile(r"^[-=*_#~]{2,}.*[-=*_#~]{2,}$")
_MAX_ROW_LINES = 14


def _is_cell(text: str) -> bool:
    """A stacked numeric cell: a number, a percentage, a unit or a currency mark alone."""
    rest = CURRENCY_MARK_RE.sub(" ", text)
    rest = re.sub(r"[-\u2212]?\d[\d.,' ]*\s?%?", " ", rest)
    return all(_QTY_UNIT_WORDS.match(tok) for tok in rest.split())


_ATTRIBUTE = re.compile(r"^[^\W\d][\w .\-]{0,24}:\s*\S")


def _is_note(text: str) -> bool:
    """A sentence under an item ("Delivered in a re-usable container") or a labelled
    detail of it ("Notes: replaced fuse") is not the next item's name."""
    return len(text.split()) >= 6 or bool(_ATTRIBUTE.match(text))


def _stacked_row(texts: list[str], cells: list[str]) -> Row | None:
    names = [t for t in texts if not _SECTION_HEADING.match(t) and not _is_note(t)]
    if not names or not cells or _SUBTOTAL_LINE.match(names[0]) or _TABLE_END.match(names[0]):
        return None
    joined = " ".join(names + cells)
    row = parse_row(joined)
    if row is None or row.certainty < 0.8:
        # One amount repeated is too weak a signal when cells are only joined by order.
        return None
    description = re.sub(r"\s+", " ", " ".join(names)).strip(" -:|")
    return Row(
        description=description,
        quantity=row.quantity,
        unit_price=row.unit_price,
        tax_rate=row.tax_rate,
        line_total=row.line_total,
        source=joined,
        certainty=round(row.certainty - 0.1, 3),
    )


def _stacked_rows(lines: list[str]) -> tuple[list[Row], set[int]]:
    """Rows of a table whose text layer prints every cell on its own line: the name lines
    of an item, then its numeric cells, until the next name starts. Returns the rows
    and the indexes of the lines they cover."""
    rows: list[Row] = []
    covered: set[int] = set()
    run = 0
    in_table = False
    texts: list[str] = []
    cells: list[str] = []
    first = 0

    def close(end: int) -> None:
        nonlocal texts, cells
        row = _stacked_row(texts, cells)
        if row is not None:
            rows.append(row)
            covered.update(range(first, end))
        texts, cells = [], []

    for i, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        if in_table and cells:
            if _is_cell(text):
                # "Units" is a column caption too, but after a row's first cell it is a unit.
                cells.append(text)
                continue
            close(i)
        if _COLUMN_WORD.match(text) and not (in_table and run == 0 and _TABLE_END.match(text)):
            run += 1
            if run >= _HEADER_RUN:
                # A repeated header on a later page restarts the table.
                if in_table:
                    close(i)
                in_table = True
            continue
        run = 0
        if not in_table:
            continue
        if _is_cell(text):
            cells.append(text)
            continue
        if _TABLE_END.match(text):
            in_table = False
            continue
        if not texts:
            first = i
        texts.append(text)
        if len(texts) > _MAX_ROW_LINES:
            texts, cells, in_table = [], [], False
    if in_table:
        close(len(lines))
    return rows, covered


# Some text layers print a row right to left with the cells run together:
# "€ 4,2421%1Some item" is line total 4,24, VAT 21%, quantity 1, then the description.
_REVERSED_ROW = re.compile(
    r"^\s*(?:€|£|\$|EUR|GBP|USD)\s?(?P<total>-?\d{1,3}(?:[.,]\d{3})*[.,]\d{2})"
    r"\s?(?P<rate>\d{1,2}(?:[.,]\d{1,2})?)\s?%\s?(?P<qty>\d{1,4})\s?(?P<desc>[^\W\d_].{2,})$"
)


def _reversed_row(line: str) -> Row | None:
    m = _REVERSED_ROW.match(line)
    if not m:
        return None
    total = parse_amount(m.group("total"))
    if total is None:
        return None
    # Only the line total is printed; a unit price would be a guess.
    return Row(
        description=m.group("desc").strip(),
        quantity=Decimal(m.group("qty")),
        unit_price=None,
        tax_rate=Decimal(m.group("rate").replace(",", ".")),
        line_total=total,
        source=line.strip(),
        certainty=0.5,
    )


def find_rows(lines: list[str]) -> list[Row]:
    stacked, covered = _stacked_rows(lines)
    rows: list[Row] = []
    for i, line in enumerate(lines):
        if i in covered:
            continue
        row = parse_row(line)
        if row is None and _SPACE_GROUP.search(line):
            # "2 640,00" may be a quantity and a price rather than 2,640.00.
            row = parse_row(_SPACE_GROUP.sub(r"\1  \2", line))
        if row is None:
            row = _reversed_row(line)
        if row is not None:
            rows.append(row)
    return rows + stacked
