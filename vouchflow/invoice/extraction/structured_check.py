"""Compare an exactly-read e-invoice with what the visible page shows.

A person approves what they see; the booking uses the XML. The two must agree on
every key field the page shows: supplier, invoice number, issue and due dates,
currency, total and tax total. Each disagreement is an ``einvoice.page_mismatch``
problem naming the field and both values (it forces review).

The page is read with the rules extractor, which can mistake one printed value for
another (a buyer for the supplier, a subtotal for the total). So a field disagrees
only when the page's reading differs from the XML *and* the XML's value is printed
nowhere on the page; a field the page does not show is not a disagreement. The
currency is the exception: the page's dominant currency must be the XML's.
When the page text was cut at the intake limit, amounts printed after the cut
cannot be seen, so totals are not compared (the note says so).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from difflib import SequenceMatcher

from schemas.common.money import exponent
from schemas.invoice.extraction import ExtractionProblem, ExtractionResult
from schemas.invoice.invoice import Invoice
from vouchflow.invoice.extraction.numbers import find_amounts, find_dates
from vouchflow.invoice.extraction.problems import problem
from vouchflow.invoice.extraction.rules import extract_with_rules
from vouchflow.invoice.extraction.rules_labels import LEGAL_FORM

COMPARED_FIELDS = (
    "supplier_name",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "total_minor",
    "tax_total_minor",
)
AMOUNT_FIELDS = ("total_minor", "tax_total_minor")
NAME_SIMILARITY = 0.85
_FORMAT_CHARS = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def normalise_name(name: str) -> str:
    text = _FORMAT_CHARS.sub("", unicodedata.normalize("NFKC", name)).casefold()
    text = LEGAL_FORM.sub(" ", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def normalise_id(value: str) -> str:
    text = _FORMAT_CHARS.sub("", unicodedata.normalize("NFKC", value)).casefold()
    return re.sub(r"[^\w]", "", text)


def names_agree(a: str, b: str) -> bool:
    x, y = normalise_name(a), normalise_name(b)
    if not x or not y:
        return False
    if x == y or (min(len(x), len(y)) >= 4 and (x in y or y in x)):
        return True
    return SequenceMatcher(None, x, y).ratio() >= NAME_SIMILARITY


class _Page:
    """Everything printed on the page, for "is the XML's value shown anywhere?"."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names = normalise_name(text)
        self.ids = normalise_id(text)
        self.dates: set[dt.date] = set()
        self.amounts: set[Decimal] = set()
        for line in text.splitlines():
            for month_first in (False, True):
                self.dates.update(f.value for f in find_dates(line, prefer_month_first=month_first))
            self.amounts.update(abs(a.value) for a in find_amounts(line))

    def shows(self, field: str, value: object, currency: str | None) -> bool:
        if field == "supplier_name":
            name = normalise_name(str(value))
            return bool(name) and f" {name} " in f" {self.names} "
        if field == "invoice_number":
            ident = normalise_id(str(value))
            return bool(ident) and ident in self.ids
        if field in ("issue_date", "due_date"):
            return value in self.dates
        if field in AMOUNT_FIELDS and isinstance(value, int):
            return abs(Decimal(value).scaleb(-exponent(currency or "EUR"))) in self.amounts
        return False


def _agree(field: str, xml_value: object, page_value: object) -> bool:
    if field == "supplier_name":
        return names_agree(str(xml_value), str(page_value))
    if field == "invoice_number":
        return normalise_id(str(xml_value)) == normalise_id(str(page_value))
    if field in AMOUNT_FIELDS and isinstance(xml_value, int) and isinstance(page_value, int):
        # A credit note may print its amounts negative while the XML states them positive.
        return abs(xml_value) == abs(page_value)
    return xml_value == page_value


def _shown(value: object, field: str, currency: str | None) -> str:
    if field in AMOUNT_FIELDS and isinstance(value, int):
        exp = exponent(currency or "EUR")
        return f"{Decimal(value).scaleb(-exp):.{exp}f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def page_mismatches(
    xml: Invoice, visible: Invoice, text: str, evidence: dict[str, str | None], *, truncated: bool
) -> tuple[int, list[ExtractionProblem]]:
    """(fields compared, one problem per field on which the XML and the page disagree)."""
    page = _Page(text)
    compared = 0
    problems: list[ExtractionProblem] = []
    for field in COMPARED_FIELDS:
        if truncated and field in AMOUNT_FIELDS:
            continue
        xml_value = getattr(xml, field)
        page_value = getattr(visible, field)
        if xml_value is None or page_value is None:
            continue
        compared += 1
        if _agree(field, xml_value, page_value):
            continue
        if field != "currency" and page.shows(field, xml_value, xml.currency):
            continue
        problems.append(
            problem(
                "einvoice.page_mismatch",
                field,
                f"{field}: the e-invoice XML says {_shown(xml_value, field, xml.currency)!r}, "
                f"the page shows {_shown(page_value, field, visible.currency)!r}",
                evidence.get(field) or _shown(page_value, field, visible.currency),
            )
        )
    return compared, problems


def cross_check_structured(
    result: ExtractionResult, text: str, *, filename: str, page_truncated: bool = False
) -> ExtractionResult:
    reading = extract_with_rules(text, filename=filename)
    visible = reading.invoice
    sources = {ev.field: ev.source_text for ev in reading.evidence}
    compared, mismatches = page_mismatches(
        result.invoice, visible, text, sources, truncated=page_truncated
    )
    disagreeing = [p.field for p in mismatches if p.field]
    agreement = None if compared == 0 else (compared - len(disagreeing)) / compared
    notes = list(result.notes)
    if disagreeing:
        notes.append("e-invoice XML and visible text disagree on: " + ", ".join(disagreeing))
    if page_truncated:
        notes.append("the page text was cut: totals were not compared with the XML")
    return result.model_copy(
        update={
            "cross_check_invoice": visible,
            "agreement": agreement,
            "disagreeing_fields": disagreeing,
            "notes": notes,
            "problems": [*result.problems, *mismatches],
            # Instructions hidden in the page matter even when the XML is exact.
            "injection_flags": list(
                dict.fromkeys([*result.injection_flags, *reading.injection_flags])
            ),
        }
    )
