"""The built-in rules extractor: reads invoice fields from text with labels and patterns.

No model is involved, so it runs anywhere and always gives the same answer. Every
field it fills carries the line it came from and a certainty, so validation and
confidence scoring can weigh it like any other extractor's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from schemas.invoice.extraction import (
    ExtractionProblem,
    ExtractionResult,
    ExtractorInfo,
    FieldEvidence,
)
from schemas.invoice.invoice import DocumentType, Invoice, LineItem
from vouchflow.documents.layout import Layout, text_layout
from vouchflow.documents.text_safety import safe_text
from vouchflow.invoice.extraction.injection import detect_injection
from vouchflow.invoice.extraction.numbers import (
    CURRENCY_MARK_RE,
    BadDate,
    detect_currency,
    find_dates,
    find_percents,
    money_amounts,
    scan_dates,
)
from vouchflow.invoice.extraction.page_fields import read_page
from vouchflow.invoice.extraction.page_merge import merge_page_reading
from vouchflow.invoice.extraction.problems import (
    bounded_minor,
    bounded_quantity,
    bounded_rate,
    credit_note_convention,
    date_problem,
    problem,
)
from vouchflow.invoice.extraction.rules_labels import (
    CREDIT_NOTE_TITLE,
    DUE_DATE,
    INVOICE_NUMBER,
    INVOICE_TITLE,
    INVOICE_WORDS,
    ISSUE_DATE,
    OTHER_DATE_WORDS,
    SUBTOTAL,
    TAX,
    TAX_ID_CONTEXT,
    TOTAL,
    Label,
)
from vouchflow.invoice.extraction.rules_lines import find_rows
from vouchflow.invoice.extraction.rules_supplier import find_supplier

INFO = ExtractorInfo(kind="rules", name="rules extractor (no model)")

_ID_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.\-]*[A-Za-z0-9]|[0-9]")
_NUMBER_PREFIX = re.compile(r"^[\s:#.\-]*(?:(?:n[°º]|no\.?|nr\.?|number|nummer)\s*)?[:#.\s]*", re.I)
_LOOKAHEAD_LINES = 4
# A document's title is printed near its top (PDF text layers may put a sender block first).
_TITLE_LINES = 60


@dataclass(frozen=True)
class _Hit:
    value: object
    source: str
    rank: int
    index: int
    certainty: float


def _match_label(line: str, labels: list[Label]) -> tuple[re.Match[str], int] | None:
    best: tuple[re.Match[str], int] | None = None
    for label in labels:
        m = label.pattern.search(line)
        if m and (best is None or label.rank > best[1]):
            best = (m, label.rank)
    return best


def _next_lines(lines: list[str], index: int) -> list[str]:
    return lines[index + 1 : index + 1 + _LOOKAHEAD_LINES]


# --- amounts ---------------------------------------------------------------------


def _only_currency(text: str) -> bool:
    return not CURRENCY_MARK_RE.sub("", text).strip(" :*")


def _amount_after_label(
    lines: list[str], index: int, m: re.Match[str], *, take_last: bool
) -> tuple[Decimal, str] | None:
    line = lines[index]
    after = line[m.end() :]
    # "Tax 15% on 112.90 16.94": an amount introduced by "on"/"sur" is the base.
    after = re.sub(r"\b(?:on|sur|op|auf|of)\s+\S*\s?\d[\d.,]*", " ", after)
    found = money_amounts(after)
    if found:
        return (found[-1] if take_last else found[0]).value, line.strip()
    before = money_amounts(line[: m.start()])
    if before:
        gap = line[before[-1].end : m.start()]
        if len(gap.strip()) <= 6 and not any(c.isdigit() or c in ":.;" for c in gap):
            # "29.99 € TTCSomme à payer": the value printed just before its label.
            return before[-1].value, line.strip()
    if after.strip(" :*") and not _only_currency(after):
        return None
    skip_next = False
    for nxt in _next_lines(lines, index):
        stripped = nxt.strip()
        if not stripped or _only_currency(stripped):
            continue
        if re.fullmatch(r"(?:on|sur|op|auf)\s*", stripped, re.I):
            skip_next = True
            continue
        amounts = money_amounts(stripped)
        # Amounts first: their text may include a sign or currency ("-£12.00", "(£12.00)").
        rest = stripped
        for a in amounts:
            rest = rest.replace(a.text, "")
        rest = CURRENCY_MARK_RE.sub("", rest)
        if len(amounts) == 1 and not rest.strip(" :*"):
            if skip_next:
                skip_next = False
                continue
            return amounts[0].value, f"{line.strip()} {stripped}"
        return None
    return None


def _find_amount(
    lines: list[str], labels: list[Label], *, take_last: bool, is_tax: bool = False
) -> _Hit | None:
    best: _Hit | None = None
    for i, line in enumerate(lines):
        hit = _match_label(line, labels)
        if not hit:
            continue
        m, rank = hit
        if is_tax and TAX_ID_CONTEXT.search(line[max(0, m.start() - 6) : m.end() + 16]):
            continue
        got = _amount_after_label(lines, i, m, take_last=take_last)
        if got is None:
            continue
        value, source = got
        # Same rank: the later one wins; section subtotals come before the document's.
        if best is None or rank >= best.rank:
            certainty = 0.9 if rank >= 3 else 0.7
            best = _Hit(value, source, rank, i, certainty)
    return best


_BREAKDOWN_HEADER = re.compile(
    r"(?:vat|tax|tva|btw|mwst|ust|gst)\b.*\b(?:grondslag|base|basis|taxable|netto?|"
    r"bemessungsgrundlage|assiette|ht)\b.*\b(?:vat|tax|tva|btw|mwst|ust|gst|bedrag|amount|"
    r"montant|betrag)\b",
    re.I,
)


def _vat_breakdown(lines: list[str]) -> tuple[Decimal, Decimal, str] | None:
    """A VAT summary table: a header naming rate, base and tax, then one line per rate
    ("21 % 41,31 8,68 49,99") under it. Returns the summed base and tax."""
    for i, line in enumerate(lines):
        if not _BREAKDOWN_HEADER.search(line) or money_amounts(line):
            continue
        base_sum = tax_sum = Decimal(0)
        sources = [line.strip()]
        for nxt in lines[i + 1 : i + 8]:
            amounts = money_amounts(nxt)
            if not find_percents(nxt) or len(amounts) not in (2, 3):
                break
            base, tax = amounts[0].value, amounts[1].value
            if len(amounts) == 3 and base + tax != amounts[2].value:
                break
            base_sum, tax_sum = base_sum + base, tax_sum + tax
            sources.append(nxt.strip())
        if len(sources) > 1:
            return base_sum, tax_sum, " / ".join(sources)
    return None


# --- dates -----------------------------------------------------------------------


def _date_near_label(
    lines: list[str], index: int, m: re.Match[str], month_first: bool
) -> tuple[object, str] | None:
    """The date printed at a label: a ``date`` or, when what is printed there is not a
    usable date, a ``BadDate`` (reported, never swapped for another date)."""
    line = lines[index]
    after = scan_dates(line[m.end() :], prefer_month_first=month_first)
    if after:
        return after[0].value if not isinstance(after[0], BadDate) else after[0], line.strip()
    before = scan_dates(line[: m.start()], prefer_month_first=month_first)
    if before:
        last = before[-1]
        return (last if isinstance(last, BadDate) else last.value), line.strip()
    if line[m.end() :].strip(" :"):
        return None
    for nxt in _next_lines(lines, index)[:3]:
        if _match_label(nxt, DUE_DATE) or _match_label(nxt, ISSUE_DATE):
            break
        dates = scan_dates(nxt, prefer_month_first=month_first)
        if dates and len(nxt.strip()) <= 30:
            first = dates[0]
            value = first if isinstance(first, BadDate) else first.value
            return value, f"{line.strip()} {nxt.strip()}"
    return None


def _find_date(
    lines: list[str], labels: list[Label], month_first: bool, *, generic_guard: bool
) -> _Hit | None:
    best: _Hit | None = None
    for i, line in enumerate(lines):
        hit = _match_label(line, labels)
        if not hit:
            continue
        m, rank = hit
        if generic_guard and rank == 1:
            context = line[max(0, m.start() - 20) : m.end() + 22]
            if OTHER_DATE_WORDS.search(context):
                continue
        got = _date_near_label(lines, i, m, month_first)
        if got is None:
            continue
        if best is None or rank > best.rank:
            best = _Hit(got[0], got[1], rank, i, 0.9 if rank >= 3 else 0.65)
    return best


# --- invoice number --------------------------------------------------------------


def _id_from(text: str) -> str | None:
    text = _NUMBER_PREFIX.sub("", text)
    for token in _ID_TOKEN.findall(text):
        if any(c.isdigit() for c in token) and not find_dates(token) and len(token) >= 3:
            return token
        # A leading word without digits ("F 1234/12") is a prefix only if short.
        if len(token) > 3:
            return None
    return None


def _find_invoice_number(lines: list[str]) -> _Hit | None:
    best: _Hit | None = None
    for i, line in enumerate(lines):
        hit = _match_label(line, INVOICE_NUMBER)
        if hit:
            m, rank = hit
            value = _id_from(line[m.end() :])
            source = line.strip()
            if value is None and not line[m.end() :].strip(" :#"):
                before = _ID_TOKEN.findall(line[: m.start()])
                if (
                    before
                    and any(c.isdigit() for c in before[-1])
                    and not line[: m.start()].endswith(" ")
                ):
                    value = before[-1]
                else:
                    for nxt in _next_lines(lines, i)[:2]:
                        if nxt.strip():
                            tokens = nxt.split()
                            if len(tokens) == 1:
                                value = _id_from(tokens[0])
                                source = f"{source} {nxt.strip()}"
                            break
            if value and (best is None or rank > best.rank):
                best = _Hit(value, source, rank, i, {3: 0.9, 2: 0.7}.get(rank, 0.5))
        elif best is None and INVOICE_TITLE.match(line):
            for nxt in _next_lines(lines, i)[:2]:
                if nxt.strip():
                    tokens = nxt.split()
                    value = _id_from(tokens[0]) if len(tokens) == 1 else None
                    if value:
                        best = _Hit(value, f"{line.strip()} {nxt.strip()}", 1, i, 0.6)
                    break
    return best


def _id_then_date_block(lines: list[str], month_first: bool) -> tuple[str, object, str] | None:
    """Some PDF text layers print header values as a block away from their labels: an
    identifier alone on a line followed by a date alone on the next."""
    for i in range(len(lines) - 1):
        token, nxt = lines[i].strip(), lines[i + 1].strip()
        if " " in token or not re.fullmatch(r"[A-Z]{0,6}[-/]?\d[\w/\-]{3,}", token):
            continue
        dates = find_dates(nxt, prefer_month_first=month_first)
        if dates and dates[0].start == 0 and dates[0].end >= len(nxt) - 1:
            return token, dates[0].value, f"{token} {nxt}"
    return None


# --- the extractor ---------------------------------------------------------------


def _document_type(lines: list[str]) -> tuple[DocumentType, str | None]:
    """A credit note says so in its title, near the top and on a line without amounts.
    The first title wins: an invoice that mentions a credit note further down (one it
    applies, say) stays an invoice."""
    for line in lines[:_TITLE_LINES]:
        if INVOICE_TITLE.match(line):
            return "invoice", None
        if CREDIT_NOTE_TITLE.match(line) and not money_amounts(line):
            return "credit_note", line.strip()
    return "invoice", None


def _likelihood(text: str, inv: Invoice, has_number_label: bool, row_count: int) -> float:
    score = 0.0
    if INVOICE_WORDS.search(text):
        score += 0.2
    if inv.invoice_number:
        score += 0.2 if has_number_label else 0.1
    if inv.total_minor is not None:
        score += 0.2
    if inv.issue_date:
        score += 0.1
    if inv.subtotal_minor is not None or inv.tax_total_minor is not None:
        score += 0.1
    if row_count:
        score += 0.1
    if inv.currency:
        score += 0.05
    if sum(len(money_amounts(line)) for line in text.splitlines()) >= 3:
        score += 0.05
    # Letters and essays are mostly long sentences; invoices are mostly short fields.
    lines = [ln for ln in text.splitlines() if ln.strip()]
    prose = sum(1 for ln in lines if len(ln.split()) >= 10 and ln.rstrip().endswith((".", ",")))
    if lines and prose / len(lines) > 0.4:
        score *= 0.6
    return round(min(score, 1.0), 3)


def extract_with_rules(
    text: str, *, filename: str = "", layout: Layout | None = None
) -> ExtractionResult:
    """Read an invoice from its text and, when given, the words' positions on the page
    (``documents.layout``; derived from the text otherwise). Deterministic; never raises
    on odd input."""
    text = safe_text(text)
    lines = text.splitlines()
    evidence: list[FieldEvidence] = []
    notes: list[str] = []

    def record(field: str, value: object, source: str | None, certainty: float) -> None:
        evidence.append(
            FieldEvidence(
                field=field,
                value=None if value is None else str(value),
                source_text=source,
                certainty=round(max(0.0, min(1.0, certainty)), 3),
            )
        )

    currency, currency_src = detect_currency(text)
    month_first = currency == "USD"

    supplier = find_supplier(lines)
    number = _find_invoice_number(lines)
    issue = _find_date(lines, ISSUE_DATE, month_first, generic_guard=True)
    due = _find_date(lines, DUE_DATE, month_first, generic_guard=False)

    problems: list[ExtractionProblem] = []
    number_value = str(number.value) if number else None
    number_src, number_cert = (number.source, number.certainty) if number else (None, 0.0)
    issue_value: object = None
    issue_src: str | None = None
    issue_cert = 0.0
    # Once the date printed for the issue date is found unusable, no other date may
    # stand in for it: the field stays empty and the problem says what was printed.
    issue_bad: BadDate | None = None
    if issue and isinstance(issue.value, BadDate):
        issue_bad = issue.value
    elif issue and issue.rank >= 3:
        issue_value, issue_src, issue_cert = issue.value, issue.source, issue.certainty
    if number and issue_value is None and issue_bad is None:
        # "Facture n° 123 du 02 juillet 2015": the date printed with the number.
        dates = scan_dates(lines[number.index], prefer_month_first=month_first)
        first = dates[0] if dates else None
        if isinstance(first, BadDate):
            issue_bad = first
        elif first is not None:
            issue_value, issue_src, issue_cert = first.value, lines[number.index].strip(), 0.75
    if number is None or (issue_value is None and issue_bad is None):
        block = _id_then_date_block(lines, month_first)
        if block:
            if number is None:
                number_value, number_src, number_cert = block[0], block[2], 0.45
            if issue_value is None and issue_bad is None:
                issue_value, issue_src, issue_cert = block[1], block[2], 0.45
    if issue_value is None and issue_bad is None and issue is not None:
        issue_value, issue_src, issue_cert = issue.value, issue.source, issue.certainty
    if issue_value is None and issue_bad is None:
        for line in lines:
            dates = scan_dates(line, prefer_month_first=month_first)
            first = dates[0] if dates else None
            if isinstance(first, BadDate):
                issue_bad = first
                break
            if first is not None:
                issue_value, issue_src, issue_cert = first.value, line.strip(), 0.3
                notes.append("issue date is the first date in the document (no label found)")
                break
    if issue_bad is not None:
        problems.append(date_problem(issue_bad.kind, "issue_date", issue_bad.raw))
    due_value: object = None
    if due and isinstance(due.value, BadDate):
        problems.append(date_problem(due.value.kind, "due_date", due.value.raw))
        due = None
    elif due:
        due_value = due.value

    total = _find_amount(lines, TOTAL, take_last=True)
    subtotal = _find_amount(lines, SUBTOTAL, take_last=False)
    tax = _find_amount(lines, TAX, take_last=False, is_tax=True)

    total_v = total.value if total else None
    sub_v = subtotal.value if subtotal else None
    tax_v = tax.value if tax else None
    assert total_v is None or isinstance(total_v, Decimal)
    assert sub_v is None or isinstance(sub_v, Decimal)
    assert tax_v is None or isinstance(tax_v, Decimal)
    sub_cert = subtotal.certainty if subtotal else 0.0
    tax_cert = tax.certainty if tax else 0.0
    sub_src = subtotal.source if subtotal else None
    tax_src = tax.source if tax else None
    breakdown = _vat_breakdown(lines)
    if breakdown and total_v is not None and breakdown[0] + breakdown[1] == total_v:
        labelled = (subtotal and subtotal.rank >= 4) or (tax and tax.rank >= 4)
        if not labelled or (sub_v, tax_v) == breakdown[:2]:
            # The per-rate table adds up to the total; loose labels elsewhere may not.
            sub_v, tax_v = breakdown[0], breakdown[1]
            sub_src = tax_src = breakdown[2]
            sub_cert = tax_cert = 0.85
    # A "subtotal" equal to the total next to a tax amount is the gross subtotal.
    if sub_v is not None and tax_v and total_v is not None and sub_v == total_v:
        sub_v = None
    if (
        sub_v is not None
        and total_v is not None
        and tax_v is None
        and (sub_v < 0) == (total_v < 0)
        and abs(sub_v) <= abs(total_v)
    ):
        tax_v, tax_src, tax_cert = total_v - sub_v, "derived: total - subtotal", 0.5
    elif tax_v is not None and total_v is not None and sub_v is None:
        sub_v, sub_src, sub_cert = total_v - tax_v, "derived: total - tax", 0.5

    rows = find_rows(lines)
    items: list[LineItem] = []
    for n, row in enumerate(rows):
        at = f"line_items[{n}]"
        item = LineItem(
            description=row.description,
            quantity=bounded_quantity(row.quantity, f"{at}.quantity", row.source, problems),
            unit_price_minor=bounded_minor(
                row.unit_price, currency, f"{at}.unit_price_minor", row.source, problems
            ),
            tax_rate=bounded_rate(row.tax_rate, f"{at}.tax_rate", row.source, problems),
            line_total_minor=bounded_minor(
                row.line_total, currency, f"{at}.line_total_minor", row.source, problems
            ),
        )
        items.append(item)

    document_type, title = _document_type(lines)
    invoice = Invoice(
        supplier_name=supplier.name if supplier else None,
        invoice_number=number_value,
        issue_date=issue_value,
        due_date=due_value,
        currency=currency,
        subtotal_minor=bounded_minor(sub_v, currency, "subtotal_minor", sub_src, problems),
        tax_total_minor=bounded_minor(tax_v, currency, "tax_total_minor", tax_src, problems),
        total_minor=bounded_minor(
            total_v, currency, "total_minor", total.source if total else None, problems
        ),
        line_items=items,
        document_type=document_type,
    )
    if title is not None:
        notes.append(f"titled as a credit note: {title!r}")
    invoice, sign_notes = credit_note_convention(invoice)
    notes += sign_notes
    for n, (row, item) in enumerate(zip(rows, invoice.line_items, strict=True)):
        for key in ("description", "quantity", "unit_price_minor", "tax_rate", "line_total_minor"):
            record(f"line_items[{n}].{key}", getattr(item, key), row.source, row.certainty)
    if invoice.due_date and invoice.issue_date and invoice.due_date < invoice.issue_date:
        # Implausible, not silently dropped: a person sees both dates as printed.
        problems.append(
            problem(
                "date.due_before_issue",
                "due_date",
                f"due_date {invoice.due_date} is before issue_date {invoice.issue_date}",
                due.source if due else None,
            )
        )

    record("supplier_name", invoice.supplier_name, supplier.source if supplier else None,
           supplier.certainty if supplier else 0.0)  # fmt: skip
    record("invoice_number", invoice.invoice_number, number_src, number_cert)
    record("issue_date", invoice.issue_date, issue_src, issue_cert)
    record("due_date", invoice.due_date, due.source if due else None, due.certainty if due else 0.0)
    record("currency", invoice.currency, currency_src, 0.8 if currency else 0.0)
    record("subtotal_minor", invoice.subtotal_minor, sub_src, sub_cert)
    record("tax_total_minor", invoice.tax_total_minor, tax_src, tax_cert)
    record("total_minor", invoice.total_minor, total.source if total else None,
           total.certainty if total else 0.0)  # fmt: skip

    result = ExtractionResult(
        invoice=invoice,
        evidence=evidence,
        extractor=INFO,
        invoice_likelihood=_likelihood(text, invoice, number is not None, len(rows)),
        injection_flags=detect_injection(text),
        notes=notes,
        problems=problems,
    )
    # The same fields read again from where the words sit on the page.
    page = read_page(layout if layout is not None else text_layout(text))
    return merge_page_reading(result, page)


class RulesExtractor:
    """The embedded default extractor (no model)."""

    kind = "rules"

    async def extract(self, text: str, *, filename: str) -> ExtractionResult:
        return extract_with_rules(text, filename=filename)
