"""Turning what a document says into trustworthy values, or into a reported problem.

Every extractor (rules, e-invoice XML, model output) goes through these helpers, so
the same document yields the same problems whichever path read it. A value that
cannot be trusted is never replaced by another one: the field stays empty and an
``ExtractionProblem`` carries the raw text for the person who reviews it.

Codes (stable; validation turns each into a finding that forces review):

* ``amount.out_of_range``   an amount beyond a signed 64-bit count of minor units
* ``amount.unreadable``     an XML amount that is not a decimal number
* ``credit_note.negative_total`` an XML credit note whose total is negative (it charges)
* ``quantity.out_of_range`` a line quantity beyond ``MAX_QUANTITY`` (absolute)
* ``tax_rate.out_of_range`` a tax rate outside 0..100 %
* ``date.impossible``       a calendar date that does not exist (30 February, month 13)
* ``date.implausible``      a four-digit year outside ``EARLIEST_YEAR``..``LATEST_YEAR``
* ``text.truncated``        the text was cut before the extractor saw all of it
* ``einvoice.fallback``     the e-invoice XML could not be read; fields come from text
* ``einvoice.page_mismatch`` the XML and the visible page disagree on a field
* ``line_items.truncated``  only the first lines travel with the result (all are in the blob)
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from schemas.common.documents import DocumentText
from schemas.common.money import MINOR_MAX, MINOR_MIN, exponent
from schemas.invoice.extraction import ExtractionProblem
from schemas.invoice.invoice import Invoice

EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
# No real invoice bills more than a trillion units of anything on one line.
MAX_QUANTITY = Decimal(10) ** 12
MAX_RAW_CHARS = 200


def _raw(raw: str | None) -> str | None:
    if raw is None:
        return None
    raw = " ".join(str(raw).split())
    return raw if len(raw) <= MAX_RAW_CHARS else raw[: MAX_RAW_CHARS - 1] + "…"


def problem(
    code: str,
    field: str | None,
    message: str,
    raw: str | None = None,
    severity: str = "error",
) -> ExtractionProblem:
    return ExtractionProblem(
        code=code,
        field=field,
        message=message,
        raw_text=_raw(raw),
        severity="warning" if severity == "warning" else "error",
    )


def decimal_to_minor(value: Decimal, currency: str | None) -> int | None:
    """Exact minor units (half up), or None when the value does not fit a signed 64-bit
    integer. Never raises: decimal's context precision would otherwise fail on long
    numbers (InvalidOperation) before the bound is even checked."""
    if not value.is_finite():
        return None
    try:
        scaled = value.scaleb(exponent(currency or "EUR"))
        # Compared before quantizing: comparison is exact at any length.
        if scaled > MINOR_MAX or scaled < MINOR_MIN:
            return None
        minor = int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return minor if MINOR_MIN <= minor <= MINOR_MAX else None


def bounded_minor(
    value: Decimal | None,
    currency: str | None,
    field: str,
    raw: str | None,
    problems: list[ExtractionProblem],
) -> int | None:
    """Minor units of a decimal amount, or None plus an ``amount.out_of_range`` problem."""
    if value is None:
        return None
    minor = decimal_to_minor(value, currency)
    if minor is None:
        problems.append(
            problem(
                "amount.out_of_range",
                field,
                f"{field}: the amount is too large to be a real amount; left empty",
                raw if raw is not None else str(value),
            )
        )
    return minor


def bounded_int_minor(
    value: int | None, field: str, problems: list[ExtractionProblem], raw: str | None = None
) -> int | None:
    """An amount already in minor units (model output, corrections) checked against the bounds."""
    if value is None:
        return None
    if MINOR_MIN <= value <= MINOR_MAX:
        return value
    problems.append(
        problem(
            "amount.out_of_range",
            field,
            f"{field}: the amount is too large to be a real amount; left empty",
            raw if raw is not None else str(value),
        )
    )
    return None


def bounded_quantity(
    value: Decimal | None, field: str, raw: str | None, problems: list[ExtractionProblem]
) -> Decimal | None:
    if value is None:
        return None
    if value.is_finite() and abs(value) <= MAX_QUANTITY:
        return value
    problems.append(
        problem(
            "quantity.out_of_range",
            field,
            f"{field}: a quantity beyond {MAX_QUANTITY:,} is not plausible; left empty",
            raw if raw is not None else str(value),
        )
    )
    return None


def bounded_rate(
    value: Decimal | None, field: str, raw: str | None, problems: list[ExtractionProblem]
) -> Decimal | None:
    if value is None:
        return None
    if value.is_finite() and Decimal(0) <= value <= Decimal(100):
        return value
    problems.append(
        problem(
            "tax_rate.out_of_range",
            field,
            f"{field}: a tax rate must lie between 0 and 100 %; left empty",
            raw if raw is not None else str(value),
        )
    )
    return None


def make_date(year: int, month: int, day: int, *, year_digits: int) -> dt.date | str:
    """A date, or why not: ``"impossible"`` (no such day) or ``"implausible"`` (year).

    Only a year printed with two digits is expanded (to 20yy); "0001" stays year 1 and
    is implausible rather than silently becoming 2001."""
    if year_digits <= 2:
        year += 2000
    elif not EARLIEST_YEAR <= year <= LATEST_YEAR:
        # Checked first: 29 February 0001 is as implausible as 1 January 0001.
        return "implausible"
    try:
        return dt.date(year, month, day)
    except ValueError:
        return "impossible"


def date_problem(kind: str, field: str, raw: str | None) -> ExtractionProblem:
    if kind == "implausible":
        message = (
            f"{field}: the year is outside {EARLIEST_YEAR}..{LATEST_YEAR} "
            "(a placeholder or misprint?); left empty"
        )
    else:
        message = f"{field}: no such calendar date; left empty rather than guessing another"
    return problem(f"date.{kind}", field, message, raw)


def checked_iso_date(
    raw: str | None, field: str, problems: list[ExtractionProblem]
) -> dt.date | None:
    """YYYY-MM-DD (optionally followed by a time or zone) or YYYYMMDD, checked like any
    printed date. Anything else that is not empty is an impossible date."""
    if raw is None or not raw.strip():
        return None
    cleaned = raw.strip()
    digits = cleaned.replace("-", "")[:8] if "-" in cleaned[:10] else cleaned[:8]
    parts = cleaned[:10].split("-") if "-" in cleaned[:10] else None
    try:
        if parts is not None:
            if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
                raise ValueError
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        else:
            if len(digits) != 8 or not digits.isdigit():
                raise ValueError
            year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    except ValueError:
        problems.append(date_problem("impossible", field, raw))
        return None
    made = make_date(year, month, day, year_digits=4)
    if isinstance(made, str):
        problems.append(date_problem(made, field, raw))
        return None
    return made


def truncation_problem(
    read_chars: int,
    full_chars: int | None,
    detail: str = "",
    *,
    pages: tuple[int, int] | None = None,
) -> ExtractionProblem:
    """The extractor saw only the start of the text: a total printed after the cut was
    never seen, so whatever amount was found must not pass as the document's total."""
    if full_chars is not None:
        seen = f"read {read_chars:,} of {full_chars:,} characters"
    elif pages is not None:
        seen = (
            f"read {read_chars:,} characters from the first {pages[0]} of {pages[1]} pages; "
            "the rest was not read"
        )
    else:
        seen = f"read the first {read_chars:,} characters; the rest was not read"
    message = f"the document's text was cut: {seen}"
    if detail:
        message += f" ({detail})"
    message += "; values printed after the cut, such as the total, were not seen"
    return problem("text.truncated", None, message)


def document_truncation(document: DocumentText) -> ExtractionProblem | None:
    """The ``text.truncated`` problem for a document whose text was cut when read."""
    if not document.text_truncated:
        return None
    pages = None
    if document.pages_read is not None and document.pages_read < document.pages:
        pages = (document.pages_read, document.pages)
    return truncation_problem(
        document.chars, document.full_chars, "intake.max_text_chars", pages=pages
    )


def _negated(value: int | None) -> int | None:
    # The bounds are symmetric, so a negated in-range amount stays in range.
    return None if value is None else -value


def negative_credit_note(invoice: Invoice) -> ExtractionProblem | None:
    """A structured (XML) credit note whose total is negative: under EN 16931 and UBL
    a credit note's amounts are credited when positive, so a negative one charges.
    It is kept as stated and reported, never turned round."""
    if invoice.document_type != "credit_note":
        return None
    headline = invoice.total_minor if invoice.total_minor is not None else invoice.subtotal_minor
    if headline is None or headline >= 0:
        return None
    return problem(
        "credit_note.negative_total",
        "total_minor",
        "a credit note with a negative total charges rather than credits; kept as stated",
        str(headline),
    )


def credit_note_convention(invoice: Invoice) -> tuple[Invoice, list[str]]:
    """One sign convention for every path: a credit note carries the credited amounts
    as positive numbers and says what it is in ``document_type`` (as UBL's CreditNote
    and Xero's ACCPAYCREDIT do). Structured XML already states it that way (see
    ``negative_credit_note``). A printed credit note, read from its text by the rules
    or a model, often shows the credited amounts as negative: it is turned round as a
    whole, lines included, so totals and lines keep adding up. An ordinary invoice is
    never turned round: a negative total on an invoice stays negative and is for a
    person to judge."""
    if invoice.document_type != "credit_note":
        return invoice, []
    headline = invoice.total_minor if invoice.total_minor is not None else invoice.subtotal_minor
    if headline is None or headline >= 0:
        return invoice, []
    lines = [
        line.model_copy(
            update={
                "unit_price_minor": _negated(line.unit_price_minor),
                "line_total_minor": _negated(line.line_total_minor),
            }
        )
        for line in invoice.line_items
    ]
    flipped = invoice.model_copy(
        update={
            "subtotal_minor": _negated(invoice.subtotal_minor),
            "tax_total_minor": _negated(invoice.tax_total_minor),
            "total_minor": _negated(invoice.total_minor),
            "allowance_total_minor": -invoice.allowance_total_minor,
            "charge_total_minor": -invoice.charge_total_minor,
            "line_items": lines,
        }
    )
    return flipped, [
        "credit note stated with negative amounts: stored as positive credited amounts"
    ]
