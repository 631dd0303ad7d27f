"""The page reader's answer for the header fields: value, certainty and evidence each."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from schemas.invoice.invoice import HEADER_FIELDS
from vouchflow.documents.layout import Layout
from vouchflow.invoice.extraction.numbers import (
    CURRENCY_MARK_RE,
    FoundDate,
    detect_currency,
    scan_dates,
)
from vouchflow.invoice.extraction.page_reader import (
    Box,
    Candidate,
    PageContext,
    agreement,
    ambiguous_date,
    best,
    build_context,
    labelled_candidates,
    parse_date,
)
from vouchflow.invoice.extraction.page_supplier import read_supplier
from vouchflow.invoice.extraction.page_totals import choose_totals

# 03/04/2025 on a page that nowhere shows whether the day or the month comes first.
AMBIGUOUS_DATE_CAP = 0.6
# ... and when only the payment term settles the order: likely, not proven.
SETTLED_DATE_CAP = 0.8
PLAUSIBLE_TERM_DAYS = 180
# ... and when only weaker signals suggest it (a usual term of a week or more, the page's
# other dates): a guess a person confirms, below the auto-draft threshold.
NEAR_DATES_CAP = 0.6
NEAR_PAGE_DATES_DAYS = 31
USUAL_TERM_MIN_DAYS = 7

HEADER = HEADER_FIELDS


@dataclass(frozen=True)
class Reading:
    value: object
    certainty: float
    evidence: str | None
    # The most this value can be trusted whatever else agrees with it.
    cap: float | None = None
    # What was printed for the value (dates are re-read from it when the order is settled).
    raw: str | None = None


@dataclass
class PageFields:
    fields: dict[str, Reading] = field(default_factory=dict)
    buyer_names: list[str] = field(default_factory=list)

    def value(self, name: str) -> object:
        reading = self.fields.get(name)
        return reading.value if reading else None


_DATE_AFTER_NUMBER = re.compile(r"\b(?:vom|du|of|dated|del|van|from|le|dd\.?)\s+(.+)$", re.I)


def _dates_after_number(ctx: PageContext) -> list[Candidate]:
    """ "Rechnung Nr. 471102 vom 15.11.2024", "Facture n° 12 du 3 mars 2024": the issue date
    printed with the number."""
    out = []
    for hit in ctx.hits_for("invoice_number"):
        m = _DATE_AFTER_NUMBER.search(hit.rest)
        if m is None:
            continue
        value = parse_date(m.group(1), ctx.month_first)
        if isinstance(value, dt.date):
            out.append(
                Candidate(
                    value, 0.9, hit.segment.text, m.group(0), Box.of(hit.segment), hit.line.index
                )
            )
    return out


def _labelled(ctx: PageContext, role: str, kind: type) -> Reading | None:
    cands = [c for c in labelled_candidates(ctx, role) if isinstance(c.value, kind)]  # type: ignore[arg-type]
    if role == "issue_date":
        cands += _dates_after_number(ctx)
    chosen = best(cands)
    if chosen is None:
        return None
    share = agreement(cands, chosen)
    certainty = chosen.weight * (0.55 + 0.4 * share)
    cap = None
    if kind is dt.date and not ctx.date_order_known and ambiguous_date(chosen.evidence):
        cap = AMBIGUOUS_DATE_CAP
    raw = chosen.raw or chosen.label
    return Reading(chosen.value, round(min(certainty, 0.95), 3), chosen.evidence, cap, raw)


def _page_dates(ctx: PageContext) -> list[dt.date]:
    """Dates whose day and month cannot be swapped: ISO, a month name, or a day above 12."""
    out: list[dt.date] = []
    for line in ctx.lines:
        for found in scan_dates(line.text):
            if isinstance(found, FoundDate) and not ambiguous_date(
                line.text[found.start : found.end]
            ):
                out.append(found.value)
    return out


def _suggested_order(
    ctx: PageContext,
    issue: Reading,
    due: Reading,
    flipped_issue: dt.date,
    flipped_due: dt.date,
) -> tuple[Reading, Reading]:
    """Both orders give a term of 0-180 days. Weaker signals may still prefer one: a usual
    term (due at once, or after a week or more; 1-6 days is rare), or the page's unambiguous
    dates (a period, a delivery) lying beside one reading and months from the other. A
    suggestion only: the cap keeps it below the auto-draft threshold."""
    if not isinstance(issue.value, dt.date) or not isinstance(due.value, dt.date):
        return issue, due

    def usual(a: dt.date, b: dt.date) -> bool:
        return (b - a).days == 0 or (b - a).days >= USUAL_TERM_MIN_DAYS

    read_usual, flipped_usual = usual(issue.value, due.value), usual(flipped_issue, flipped_due)
    if read_usual != flipped_usual:
        why = "; day/month order suggested by a usual payment term"
        flip = flipped_usual
    else:
        anchors = _page_dates(ctx)
        if not anchors:
            return issue, due

        def gap(day: dt.date) -> int:
            return min(abs((day - a).days) for a in anchors)

        read_gap, flipped_gap = gap(issue.value), gap(flipped_issue)
        if flipped_gap <= NEAR_PAGE_DATES_DAYS < read_gap:
            flip = True
        elif read_gap <= NEAR_PAGE_DATES_DAYS < flipped_gap:
            flip = False
        else:
            return issue, due
        why = "; day/month order suggested by the page's other dates"
    if flip:
        issue, due = replace(issue, value=flipped_issue), replace(due, value=flipped_due)
    return _suggested(issue, why), _suggested(due, why)


def _suggested(reading: Reading, why: str) -> Reading:
    return replace(
        reading,
        certainty=min(reading.certainty, NEAR_DATES_CAP),
        cap=NEAR_DATES_CAP,
        evidence=f"{reading.evidence}{why}",
    )


def _settle_date_order(
    ctx: PageContext, issue: Reading | None, due: Reading | None
) -> tuple[Reading | None, Reading | None]:
    """An issue and a due date whose day and month could be swapped: the reading under
    which the due date follows the issue date by a plausible term (0-180 days) is the
    page's order, when only one reading allows it."""
    if ctx.date_order_known or issue is None or due is None:
        return issue, due
    if issue.cap is None and due.cap is None:
        return issue, due
    flipped_issue = parse_date(issue.raw or "", not ctx.month_first)
    flipped_due = parse_date(due.raw or "", not ctx.month_first)
    if not isinstance(flipped_issue, dt.date) or not isinstance(flipped_due, dt.date):
        return issue, due

    def plausible(a: object, b: object) -> bool:
        return (
            isinstance(a, dt.date)
            and isinstance(b, dt.date)
            and dt.timedelta(0) <= b - a <= dt.timedelta(days=PLAUSIBLE_TERM_DAYS)
        )

    as_read, as_flipped = plausible(issue.value, due.value), plausible(flipped_issue, flipped_due)
    if as_read == as_flipped:
        # Both or neither: the page's unambiguous dates (a period, a delivery) may still
        # say which reading is meant; likely, not proven, so a person confirms it.
        return _suggested_order(ctx, issue, due, flipped_issue, flipped_due)
    settled = "; day/month order settled by the payment term"
    if as_flipped:
        issue = replace(issue, value=flipped_issue)
        due = replace(due, value=flipped_due)
    # The pair, not the label alone, now carries the reading: as sure as the cap allows.
    return (
        replace(
            issue,
            certainty=SETTLED_DATE_CAP,
            cap=SETTLED_DATE_CAP,
            evidence=f"{issue.evidence}{settled}",
        ),
        replace(
            due,
            certainty=SETTLED_DATE_CAP,
            cap=SETTLED_DATE_CAP,
            evidence=f"{due.evidence}{settled}",
        ),
    )


def _currency(ctx: PageContext, total: Candidate | None) -> Reading | None:
    text = "\n".join(line.text for line in ctx.lines)
    code, source = detect_currency(text)
    if code is None:
        return None
    certainty = 0.8
    if total is not None:
        near = CURRENCY_MARK_RE.search(total.raw) or CURRENCY_MARK_RE.search(total.label)
        row_code, _ = detect_currency(f"{total.label} {total.raw}")
        if near and row_code == code:
            certainty = 0.95
        elif row_code is not None and row_code != code:
            return Reading(row_code, 0.5, f"{total.label} {total.raw}")
    return Reading(code, certainty, source)


def read_page(layout: Layout) -> PageFields:
    ctx = build_context(layout)
    out = PageFields()
    supplier = read_supplier(ctx)
    out.buyer_names = supplier.buyer_names
    if supplier.name:
        out.fields["supplier_name"] = Reading(supplier.name, supplier.certainty, supplier.evidence)
    number = _labelled(ctx, "invoice_number", str)
    if number:
        out.fields["invoice_number"] = number
    issue, due = _settle_date_order(
        ctx, _labelled(ctx, "issue_date", dt.date), _labelled(ctx, "due_date", dt.date)
    )
    if issue:
        out.fields["issue_date"] = issue
    if due and (issue is None or due.value != issue.value or due.certainty > issue.certainty):
        out.fields["due_date"] = due
    totals = choose_totals(ctx)
    for name, cand in (
        ("total_minor", totals.gross),
        ("subtotal_minor", totals.net),
        ("tax_total_minor", totals.tax),
    ):
        if cand is not None and isinstance(cand.value, Decimal):
            certainty = totals.certainty if name == "total_minor" else min(totals.certainty, 0.9)
            out.fields[name] = Reading(cand.value, certainty, f"{cand.evidence}; {totals.how}")
    currency = _currency(ctx, totals.gross)
    if currency:
        out.fields["currency"] = currency
    return out
