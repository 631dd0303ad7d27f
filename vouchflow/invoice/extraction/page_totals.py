"""Choose the net, tax and gross totals that agree with each other.

A page prints many amounts after words like "Total": column totals, amounts due after
a prepayment, a total per VAT rate, a repeated footer. Taking the amount after the
first "Total" is how a reader gets a wrong number with confidence. Instead every
labelled amount is a candidate, and the answer is the combination that adds up:
``net + tax = gross`` (tax may be a sum of VAT-breakdown rows). Only a combination
that adds up earns a high certainty; a lone labelled gross amount is a lower-certainty
guess and goes to a person unless something else confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from vouchflow.invoice.extraction.numbers import find_amounts
from vouchflow.invoice.extraction.page_labels import ALL_FIELD_LABELS, Role, match_label
from vouchflow.invoice.extraction.page_reader import Box, Candidate, PageContext, value_spots

# Certainties, by how a total was established.
CONSISTENT = 0.95  # net + tax = gross, all three labelled
CONSISTENT_WEAK = 0.85  # adds up, but a label is generic ("Total", "Summe")
LABEL_ONLY = 0.6  # a labelled gross amount nothing confirms
INFERRED = 0.5  # gross = net + tax, printed somewhere on the page unlabelled
_MAX_TAX_ROWS = 4
MAX_CANDIDATES = 24


@dataclass
class Totals:
    gross: Candidate | None = None
    net: Candidate | None = None
    tax: Candidate | None = None
    certainty: float = 0.0
    how: str = "no total found"


def amount_candidates(ctx: PageContext, role: Role) -> list[Candidate]:
    """Every amount printed with a label of this role: the rightmost amount on the label's
    row weighs most (the amount column), others on the row less."""
    out: list[Candidate] = []
    for hit in ctx.hits_for(role):
        found_any = False
        spots = value_spots(ctx, hit)
        row = [s for s in spots if s[1] in ("inline", "right")]
        below = [s for s in spots if s[1] == "below"]
        for group in (row, below):
            values: list[tuple[Decimal, str, Box, int, bool]] = []
            for text, relation, box, line_index in group:
                # One decimal too: viewers print an XML amount as it is stored (10157.5).
                amounts = [a for a in find_amounts(text) if a.decimals in (1, 2) or a.has_currency]
                bare = text.strip().rstrip("*")
                if not amounts and relation != "inline" and bare in ("0", "-0"):
                    amounts = find_amounts(bare)  # a zero tax printed as "0"
                for a in amounts:
                    values.append((a.value, text, box, line_index, relation == "below"))
            for position, (value, text, box, line_index, is_below) in enumerate(values):
                weight = hit.label.weight * (0.85 if is_below else 1.0)
                if position != len(values) - 1:
                    weight *= 0.7
                out.append(Candidate(value, weight, hit.segment.text, text, box, line_index, role))
                found_any = True
            if found_any:
                break
    return out


def _page_amounts(ctx: PageContext) -> set[Decimal]:
    found: set[Decimal] = set()
    for line in ctx.lines:
        for seg in line.segments:
            if match_label(seg.text, ALL_FIELD_LABELS) is None:
                found.update(a.value for a in find_amounts(seg.text) if a.decimals in (1, 2))
    return found


def _tax_options(taxes: list[Candidate]) -> list[tuple[Decimal, list[Candidate]]]:
    """Single tax amounts and sums of VAT rows on distinct lines (a breakdown by rate)."""
    options: list[tuple[Decimal, list[Candidate]]] = [(t.value, [t]) for t in taxes]  # type: ignore[misc]
    distinct = {t.line: t for t in sorted(taxes, key=lambda c: c.weight)}
    rows = list(distinct.values())[:8]
    for size in range(2, min(len(rows), _MAX_TAX_ROWS) + 1):
        for combo in combinations(rows, size):
            total = sum((c.value for c in combo if isinstance(c.value, Decimal)), Decimal(0))
            options.append((total, list(combo)))
    return options


def _strongest(candidates: list[Candidate]) -> list[Candidate]:
    """At most MAX_CANDIDATES per role, the surest labels first (then the last printed):
    the search below tries combinations, so a page printing thousands of "Total" lines
    must not make it run for minutes. A real invoice has a handful per role."""
    ranked = sorted(candidates, key=lambda c: (-c.weight, -c.line))[:MAX_CANDIDATES]
    return sorted(ranked, key=lambda c: c.line)


def choose_totals(ctx: PageContext) -> Totals:
    gross = _strongest([c for c in amount_candidates(ctx, "gross") if isinstance(c.value, Decimal)])
    net = _strongest([c for c in amount_candidates(ctx, "net") if isinstance(c.value, Decimal)])
    tax = _strongest([c for c in amount_candidates(ctx, "tax") if isinstance(c.value, Decimal)])
    best: tuple[float, Totals] | None = None
    tax_opts = _tax_options(tax)
    for g in gross:
        for n in net:
            if n.line == g.line and n.value == g.value and n.raw == g.raw:
                continue  # one printed amount cannot be both
            options: list[tuple[Decimal, list[Candidate]]] = list(tax_opts)
            if not tax or n.value == g.value:
                options.append((Decimal(0), []))
            for tax_value, rows in options:
                if n.value + tax_value != g.value or g.value == 0:  # type: ignore[operator]
                    continue
                tax_weight = (
                    sum(r.weight for r in rows) / len(rows) if rows else (0.6 if not tax else 0.5)
                )
                score = g.weight + n.weight + tax_weight
                if tax_value != 0:
                    score += 0.2  # printed tax that is used beats a zero assumed
                if best is None or score > best[0]:
                    tax_cand = (
                        rows[0]
                        if len(rows) == 1
                        else Candidate(
                            tax_value,
                            tax_weight,
                            "tax rows",
                            " + ".join(str(r.value) for r in rows) or "0",
                            rows[0].box if rows else g.box,
                            rows[0].line if rows else g.line,
                            "tax",
                        )
                    )
                    # No tax row used although tax amounts are printed: weaker.
                    sure = min(g.weight, n.weight, tax_weight if rows else 1.0) >= 0.8 and (
                        bool(rows) or not tax
                    )
                    best = (
                        score,
                        Totals(
                            gross=g,
                            net=n,
                            tax=tax_cand,
                            certainty=CONSISTENT if sure else CONSISTENT_WEAK,
                            how="net + tax = gross on the page",
                        ),
                    )
    if best is not None:
        return best[1]
    if gross:
        g = max(gross, key=lambda c: (c.weight, c.line))
        same = [c for c in gross if c.value == g.value]
        rivals = {c.value for c in gross if c.weight >= g.weight * 0.9} - {g.value}
        certainty = LABEL_ONLY * g.weight + (0.1 if len(same) > 1 else 0.0)
        if rivals:
            certainty = min(certainty, 0.35)
        net_c = max(net, key=lambda c: c.weight) if net else None
        tax_c = max(tax, key=lambda c: c.weight) if tax else None
        return Totals(
            g, net_c, tax_c, round(certainty, 3), "a labelled total nothing else confirms"
        )
    if net and tax:
        page = _page_amounts(ctx)
        for n in sorted(net, key=lambda c: -c.weight):
            for value, rows in tax_opts:
                total = n.value + value  # type: ignore[operator]
                if total in page:
                    g = Candidate(total, 0.5, "", f"{n.value} + {value}", n.box, n.line, "gross")
                    return Totals(g, n, rows[0], INFERRED, "gross = net + tax, printed unlabelled")
    return Totals()
