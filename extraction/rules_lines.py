"""Line-item rows: a description followed by quantity, unit price, optional tax rate and
line total, in whichever order the table prints them.

A row is only accepted when its own arithmetic holds (quantity x unit price = line
total, within a cent per unit), which keeps headers, totals and addresses out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extraction.numbers import CURRENCY_MARK_RE, Amount, find_amounts, find_percents

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
    quantity: Decimal
    unit_price: Decimal
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
    # Try the orders tables use: qty, unit, [rate], total  |  unit, [rate], qty, total.
    candidates: list[tuple[Amount, Amount, int]] = []
    if len(nums) >= 3:
        q, u = nums[-3], nums[-2]
        candidates.append((q, u, q.start))
        u2, q2 = nums[-3], nums[-2]
        candidates.append((q2, u2, u2.start))
    if len(nums) >= 2:
        candidates.append((nums[-2], nums[-2], nums[-2].start))  # qty 1, unit == total
    for qty_a, unit_a, first_start in candidates:
        if qty_a is unit_a:
            qty = Decimal(1)
            unit = unit_a.value
            if unit != total.value or not unit_a.money_like:
                continue
            between = line[unit_a.end : total.start]
        else:
            qty, unit = qty_a.value, unit_a.value
            if qty_a.decimals not in (0, 1, 2, 3, 4) or not unit_a.money_like:
                continue
            if qty_a.decimals == 2 and qty_a.has_currency:
                continue
            if not _consistent(qty, unit, total.value):
                continue
            lo, hi = sorted([qty_a, unit_a], key=lambda a: a.start)
            between = line[lo.end : hi.start] + " " + line[hi.end : total.start]
        if not _rest_is_noise(between):
            continue
        description = CURRENCY_MARK_RE.sub(" ", line[:first_start])
        description = re.sub(r"\s+", " ", description).strip(" -:|\t")
        if len(re.sub(r"[^A-Za-zÀ-ÿ]", "", description)) < 2:
            continue
        rates = find_percents(line[first_start:])
        certainty = 0.85 if qty_a is not unit_a else 0.6
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


def find_rows(lines: list[str]) -> list[Row]:
    rows: list[Row] = []
    for line in lines:
        row = parse_row(line)
        if row is None and _SPACE_GROUP.search(line):
            # "2 640,00" may be a quantity and a price rather than 2,640.00.
            row = parse_row(_SPACE_GROUP.sub(r"\1  \2", line))
        if row is not None:
            rows.append(row)
    return rows
