"""The correction form: an invoice's fields as a person edits them, and back.

Amounts are shown and typed as money in the invoice's currency (``8,217.60``), never as
minor units; dates are dates; the currency and document type are chosen from lists.
What the reviewer changed becomes the ``corrections`` of their approval (only the
changed fields; the whole line list when any line changed). Before anything is sent the
corrections are checked by ``apply_corrections``, the same rule the workflow applies
again when it re-validates them. Pure functions: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args

from schemas.common.money import CURRENCY_EXPONENTS, MINOR_MAX, exponent
from schemas.invoice.invoice import DocumentType, Invoice
from vouchflow.invoice.rules.assess import apply_corrections

FieldKind = Literal["text", "date", "money", "currency", "choice"]

# Browser-side checks (HTML `pattern`): the same shapes `parse_*` accepts.
MONEY_PATTERN = r"-?[0-9][0-9,' ]*([.][0-9]+)?"
DECIMAL_PATTERN = r"-?[0-9]+([.][0-9]+)?"
MAX_TEXT_CHARS = 500
_MONEY_RE = re.compile(rf"^{MONEY_PATTERN}$")
_DECIMAL_RE = re.compile(rf"^{DECIMAL_PATTERN}$")
DOCUMENT_TYPES: tuple[str, ...] = get_args(DocumentType)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind


HEADER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("supplier_name", "Supplier", "text"),
    FieldSpec("invoice_number", "Invoice number", "text"),
    FieldSpec("issue_date", "Issue date", "date"),
    FieldSpec("due_date", "Due date", "date"),
    FieldSpec("currency", "Currency", "currency"),
    FieldSpec("subtotal_minor", "Subtotal (net)", "money"),
    FieldSpec("tax_total_minor", "Tax", "money"),
    FieldSpec("total_minor", "Total", "money"),
    FieldSpec("document_type", "Document type", "choice"),
)
LINE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("description", "Description", "text"),
    FieldSpec("quantity", "Quantity", "text"),
    FieldSpec("unit_price_minor", "Unit price", "money"),
    FieldSpec("tax_rate", "VAT %", "text"),
    FieldSpec("line_total_minor", "Line total", "money"),
)
_LABELS = {f.name: f.label for f in HEADER_FIELDS}
_LINE_LABELS = {f.name: f.label.lower() for f in LINE_FIELDS}
_LINE_FIELD = re.compile(r"^line_items\[(\d+)\]\.(\w+)$")


def field_label(name: str) -> str:
    """`total_minor` -> 'Total'; `line_items[1].unit_price_minor` -> 'Line 2 unit price'."""
    if name in _LABELS:
        return _LABELS[name]
    match = _LINE_FIELD.match(name)
    if match:
        return f"Line {int(match[1]) + 1} {_LINE_LABELS.get(match[2], match[2])}"
    return name.removesuffix("_minor").replace("_", " ").capitalize()


def currencies(current: str | None) -> list[str]:
    """The currencies a reviewer can choose: the supported ones, and the invoice's own
    even if unsupported (so the form shows what was read)."""
    known = sorted(CURRENCY_EXPONENTS)
    return known if not current or current in known else [current, *known]


def money_text(minor: int | None, currency: str | None) -> str:
    """Minor units as a person types them: 821760 GBP -> '8217.60'."""
    if minor is None:
        return ""
    exp = exponent(currency or "")
    if exp == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    major, rest = divmod(abs(minor), 10**exp)
    return f"{sign}{major}.{rest:0{exp}d}"


def parse_money(text: str, currency: str | None, what: str) -> int | None:
    """'8,217.60' -> 821760 in GBP; blank -> None. More decimals than the currency has is
    an error, never rounded away."""
    raw = text.strip()
    if not raw:
        return None
    if not _MONEY_RE.match(raw):
        raise ValueError(f"{what}: {raw[:40]!r} is not an amount (e.g. 1,234.56)")
    digits = re.sub(r"[,' ]", "", raw)
    value = Decimal(digits)
    exp = exponent(currency or "")
    if -value.as_tuple().exponent > exp:  # type: ignore[operator]
        places = "no decimals" if exp == 0 else f"at most {exp} decimals"
        raise ValueError(f"{what}: {currency or 'the currency'} amounts have {places}")
    minor = int(value.scaleb(exp))
    if abs(minor) > MINOR_MAX:
        raise ValueError(f"{what}: the amount is out of range")
    return minor


def _decimal(text: str, what: str) -> str | None:
    raw = text.strip()
    if not raw:
        return None
    if not _DECIMAL_RE.match(raw):
        raise ValueError(f"{what}: {raw[:40]!r} is not a number (e.g. 2 or 20.5)")
    try:
        Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"{what}: {raw[:40]!r} is not a number") from None
    return raw


def _same_decimal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == Decimal(str(b))


def form_values(invoice: Invoice) -> dict[str, str]:
    """Input name -> the value the form starts with."""
    cur = invoice.currency
    values = {
        "supplier_name": invoice.supplier_name or "",
        "invoice_number": invoice.invoice_number or "",
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "currency": cur or "",
        "subtotal_minor": money_text(invoice.subtotal_minor, cur),
        "tax_total_minor": money_text(invoice.tax_total_minor, cur),
        "total_minor": money_text(invoice.total_minor, cur),
        "document_type": invoice.document_type,
    }
    for i, line in enumerate(invoice.line_items):
        values[f"line-{i}-description"] = line.description
        values[f"line-{i}-quantity"] = "" if line.quantity is None else str(line.quantity)
        values[f"line-{i}-unit_price_minor"] = money_text(line.unit_price_minor, cur)
        values[f"line-{i}-tax_rate"] = "" if line.tax_rate is None else str(line.tax_rate)
        values[f"line-{i}-line_total_minor"] = money_text(line.line_total_minor, cur)
    return values


def new_line_rows(invoice: Invoice) -> int:
    """Blank rows offered for new lines: several when nothing was read (a scan without
    OCR is keyed in by a person), one otherwise."""
    return 5 if not invoice.line_items else 1


@dataclass
class ParsedForm:
    corrections: dict[str, Any] | None
    errors: list[str]


def _lines_from_form(
    form: Mapping[str, str], invoice: Invoice, currency: str | None, errors: list[str]
) -> list[dict[str, Any]]:
    """Every line as submitted: existing lines (unless marked for removal) and the blank
    rows for new ones that were filled in."""
    lines: list[dict[str, Any]] = []
    for i in range(len(invoice.line_items) + new_line_rows(invoice)):
        if form.get(f"line-{i}-remove"):
            continue
        get = lambda name, i=i: str(form.get(f"line-{i}-{name}", "")).strip()  # noqa: E731
        description = get("description")
        filled = [get(f.name) for f in LINE_FIELDS]
        if i >= len(invoice.line_items) and not any(filled):
            continue  # a row for a new line, left empty
        what = f"line {i + 1}"
        line: dict[str, Any] = {"description": description[:MAX_TEXT_CHARS]}
        try:
            line["quantity"] = _decimal(get("quantity"), f"{what} quantity")
            line["unit_price_minor"] = parse_money(
                get("unit_price_minor"), currency, f"{what} unit price"
            )
            line["tax_rate"] = _decimal(get("tax_rate"), f"{what} VAT %")
            line["line_total_minor"] = parse_money(
                get("line_total_minor"), currency, f"{what} line total"
            )
        except ValueError as err:
            errors.append(str(err))
        if not description:
            errors.append(f"{what}: a line needs a description (or tick remove)")
        lines.append(line)
    return lines


def _lines_changed(lines: list[dict[str, Any]], invoice: Invoice) -> bool:
    if len(lines) != len(invoice.line_items):
        return True
    for new, old in zip(lines, invoice.line_items, strict=True):
        if (
            new.get("description") != old.description
            or not _same_decimal(new.get("quantity"), old.quantity)
            or new.get("unit_price_minor") != old.unit_price_minor
            or not _same_decimal(new.get("tax_rate"), old.tax_rate)
            or new.get("line_total_minor") != old.line_total_minor
        ):
            return True
    return False


def parse_form(
    form: Mapping[str, str],
    shown: Invoice,
    base: Invoice,
    *,
    max_amount_minor: int = MINOR_MAX,
) -> ParsedForm:
    """The reviewer's edits of `shown` (the invoice the page showed) as corrections,
    checked against `base` (the extraction the workflow applies them to) by the
    workflow's own rule. Errors are sentences a reviewer can act on."""
    errors: list[str] = []
    corrections: dict[str, Any] = {}
    currency = shown.currency
    if "currency" in form:
        currency = str(form["currency"]).strip().upper() or None
        if currency != (shown.currency or None):
            corrections["currency"] = currency
    for spec in HEADER_FIELDS:
        # A field the form did not carry is unchanged (only what a person edits is sent).
        if spec.name == "currency" or spec.name not in form:
            continue
        raw = str(form[spec.name]).strip()
        try:
            if spec.kind == "money":
                new: object = parse_money(raw, currency, spec.label)
                old: object = getattr(shown, spec.name)
                # Read in the (possibly corrected) currency: 8,217.60 stays 821760 from
                # GBP to EUR, and is refused for JPY (no decimals) rather than guessed.
                if new != old:
                    corrections[spec.name] = new
                continue
            if spec.kind == "date":
                old_date = getattr(shown, spec.name)
                if raw != (old_date.isoformat() if old_date else ""):
                    corrections[spec.name] = raw or None
                continue
            if spec.kind == "choice":
                if raw not in DOCUMENT_TYPES:
                    raise ValueError(f"{spec.label}: choose one of {', '.join(DOCUMENT_TYPES)}")
                if raw != shown.document_type:
                    corrections[spec.name] = raw
                continue
            if len(raw) > MAX_TEXT_CHARS:
                raise ValueError(f"{spec.label}: at most {MAX_TEXT_CHARS} characters")
            if raw != (getattr(shown, spec.name) or ""):
                corrections[spec.name] = raw or None
        except ValueError as err:
            errors.append(str(err))
    if any(key.startswith("line-") for key in form):
        lines = _lines_from_form(form, shown, currency, errors)
        if not errors and _lines_changed(lines, shown):
            corrections["line_items"] = lines
    if errors:
        return ParsedForm(None, errors)
    if not corrections:
        return ParsedForm(None, [])
    try:
        apply_corrections(base, corrections, max_amount_minor=max_amount_minor)
    except ValueError as err:
        return ParsedForm(None, [str(err)])
    return ParsedForm(corrections, [])
