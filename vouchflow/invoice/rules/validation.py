"""Deterministic validation of an extracted invoice.

`validate_invoice` checks presence, currency, arithmetic (integer minor units
only), dates and tax rates, and returns the invoice with totals recomputed from
its lines where the printed ones disagree. Every problem is a `Finding` with a
stable code, so routing, confidence and the audit trail can refer to it.

Finding codes:
    required.<field>              missing field (error; due_date/line_items: warning)
    currency.unsupported          not an ISO 4217 code we handle (error)
    arithmetic.line_total_filled  line total computed from quantity x unit price (info)
    arithmetic.line_total_mismatch  quantity x unit price != line total (error)
    arithmetic.lines_incomplete   some lines have no total; only header totals checked (warning)
    arithmetic.amounts_look_tax_inclusive  lines add up to the gross total (warning)
    arithmetic.subtotal_filled    subtotal missing, taken from the lines (warning)
    arithmetic.subtotal_recomputed  printed subtotal disagrees with the lines (error)
    arithmetic.tax_total_derived  tax missing, taken as total - subtotal (warning)
    arithmetic.total_recomputed   printed total disagrees with lines + tax (error)
    arithmetic.total_mismatch     subtotal + tax != total, no lines to decide (error)
    tax.total_mismatch            tax recomputed per rate disagrees (warning)
    tax.rate_not_allowed          a line rate outside the configured set (error)
    tax.rates_not_configured      no rate set for the currency (warning)
    date.due_before_issue         (error)
    date.issue_in_future          beyond the configured slack (error)
    date.due_too_far              more than max_due_days_after_issue (warning)
    date.issue_implausible        year before earliest_issue_year or more than
                                  max_issue_days_after_today ahead (error)
    date.due_implausible          more than max_due_years_after_issue after the issue date,
                                  or an implausible year (error)
    amount.out_of_range           an amount (printed or computed) above max_amount_minor
                                  or outside a signed 64-bit integer (error)
    amount.negative_total         an invoice (not a credit note) with a negative total (error)
    amount.zero_total             a zero total (warning; routing sends it to review)
    document.credit_note          the document is a credit note (info; never auto-drafted)
    identifier.invisible_characters  invisible/format/control characters in a key field (error)

Date findings quote the text the date was read from when the extractor kept it, so a
person sees "printed as 30/02/2025" rather than the date it became. Arithmetic runs in
a wide decimal context on bounded values, and a computed amount that would not fit is
reported instead of stored: no value leaves validation outside the money bounds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

from schemas.common.money import MINOR_MAX, format_minor, is_supported_currency
from schemas.invoice.assessment import Finding
from schemas.invoice.extraction import FieldEvidence
from schemas.invoice.invoice import Invoice, LineItem
from vouchflow.invoice.rules.identifiers import (
    clean_identifier,
    invisible_characters,
    normalise_identifier,
)
from vouchflow.invoice.rules.sections import PolicySections

REQUIRED_FIELDS: dict[str, str] = {
    "supplier_name": "supplier name",
    "invoice_number": "invoice number",
    "issue_date": "issue date",
    "currency": "currency",
    "total_minor": "total",
}


# Fields whose value identifies the invoice (duplicate keys, the destination's lookup).
KEY_TEXT_FIELDS: dict[str, str] = {
    "supplier_name": "supplier name",
    "invoice_number": "invoice number",
    "currency": "currency",
}
# The evidence text of a field a reviewer typed (see policy.assess).
CORRECTION_SOURCE = "reviewer correction"
# Bounded quantities (<= 1e12, 30 digits) times 64-bit amounts need ~50 digits exactly.
_DECIMAL_PRECISION = 120


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount_cap(settings: PolicySections) -> int:
    """The largest absolute amount accepted: the configured cap within the 64-bit bound."""
    return min(settings.validation.max_amount_minor, MINOR_MAX)


def validate_invoice(
    invoice: Invoice,
    *,
    today: dt.date,
    settings: PolicySections,
    evidence: Sequence[FieldEvidence] = (),
) -> tuple[Invoice, list[Finding]]:
    """Return (invoice with totals recomputed, findings). Pure: no I/O, no clock."""
    with localcontext() as ctx:
        ctx.prec = _DECIMAL_PRECISION
        findings: list[Finding] = []
        findings += _check_required(invoice)
        findings += _check_identifiers(invoice)
        currency = _check_currency(invoice, findings)
        money = _money_formatter(currency)
        findings += _check_amount_bounds(invoice, settings, money)
        checked = _check_arithmetic(invoice, findings, settings, money)
        findings += _check_signs(checked, money)
        findings += _check_dates(checked, today=today, settings=settings, evidence=evidence)
        findings += _check_tax_rates(checked, settings=settings, currency=currency)
    return checked, findings


def _out_of_range(
    field: str, value: int, settings: PolicySections, money: _Money, what: str
) -> Finding:
    return Finding(
        code="amount.out_of_range",
        severity="error",
        message=(
            f"{what} {field} = {money(value)} is outside the accepted range"
            f" (at most {money(amount_cap(settings))} in absolute value)"
        ),
        field=field,
        expected=f"|amount| <= {amount_cap(settings)}",
        actual=str(value),
    )


def _fits(value: int, settings: PolicySections) -> bool:
    return abs(value) <= amount_cap(settings)


def _check_amount_bounds(
    invoice: Invoice, settings: PolicySections, money: _Money
) -> list[Finding]:
    """Every printed amount, header and lines, within the configured sanity cap."""
    amounts: list[tuple[str, int | None]] = [
        (name, getattr(invoice, name))
        for name in (
            "subtotal_minor",
            "tax_total_minor",
            "total_minor",
            "allowance_total_minor",
            "charge_total_minor",
        )
    ]
    for index, line in enumerate(invoice.line_items):
        amounts.append((f"line_items[{index}].unit_price_minor", line.unit_price_minor))
        amounts.append((f"line_items[{index}].line_total_minor", line.line_total_minor))
    return [
        _out_of_range(field, value, settings, money, "printed amount")
        for field, value in amounts
        if value is not None and not _fits(value, settings)
    ]


def _quoted(value: str, limit: int = 80) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def _check_identifiers(invoice: Invoice) -> list[Finding]:
    """Invisible characters in a key field: a person cannot see what the key really is
    (a zero-width space made a second draft of one invoice)."""
    findings: list[Finding] = []
    for name, label in KEY_TEXT_FIELDS.items():
        value = getattr(invoice, name)
        hidden = invisible_characters(value)
        if hidden:
            findings.append(
                Finding(
                    code="identifier.invisible_characters",
                    severity="error",
                    message=(
                        f"{label} {_quoted(value)} contains invisible or control characters:"
                        f" {', '.join(hidden)}; correct it to the text as printed"
                    ),
                    field=name,
                    actual=" ".join(h.split(" ", 1)[0] for h in hidden),
                )
            )
    return findings


def _check_signs(invoice: Invoice, money: _Money) -> list[Finding]:
    total = invoice.total_minor
    findings: list[Finding] = []
    if invoice.document_type == "credit_note":
        findings.append(
            Finding(
                code="document.credit_note",
                severity="info",
                message="the document is a credit note (money owed to us), not a bill to pay",
                field="document_type",
                actual="credit_note",
            )
        )
    elif total is not None and total < 0:
        findings.append(
            Finding(
                code="amount.negative_total",
                severity="error",
                message=(
                    f"the total {money(total)} is negative on an invoice: if the document is a"
                    " credit note, correct document_type to credit_note; otherwise correct the"
                    " amounts"
                ),
                field="total_minor",
                actual=str(total),
            )
        )
    if total == 0:
        findings.append(
            Finding(
                code="amount.zero_total",
                severity="warning",
                message="the total is zero",
                field="total_minor",
                actual="0",
            )
        )
    return findings


def _money_formatter(currency: str | None) -> _Money:
    return _Money(currency)


class _Money:
    """Formats amounts for finding messages (the currency may be missing)."""

    def __init__(self, currency: str | None) -> None:
        self.currency = currency

    def __call__(self, amount_minor: int | None) -> str:
        if amount_minor is None:
            return "missing"
        if self.currency is None:
            return f"{amount_minor} minor units"
        return format_minor(amount_minor, self.currency)


def _check_required(invoice: Invoice) -> list[Finding]:
    findings: list[Finding] = []
    for name, label in REQUIRED_FIELDS.items():
        value = getattr(invoice, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            findings.append(
                Finding(
                    code=f"required.{name}",
                    severity="error",
                    message=f"{label} is missing",
                    field=name,
                )
            )
        elif name in KEY_TEXT_FIELDS and normalise_identifier(value) is None:
            # Punctuation or invisible characters only: nothing a duplicate check can use.
            findings.append(
                Finding(
                    code=f"required.{name}",
                    severity="error",
                    message=f"{label} {_quoted(value)} has no letters or digits",
                    field=name,
                    actual=value,
                )
            )
    if invoice.due_date is None:
        findings.append(
            Finding(
                code="required.due_date",
                severity="warning",
                message="due date is missing",
                field="due_date",
            )
        )
    if not invoice.line_items:
        findings.append(
            Finding(
                code="required.line_items",
                severity="warning",
                message="no line items; only the header totals can be checked",
                field="line_items",
            )
        )
    return findings


def _check_currency(invoice: Invoice, findings: list[Finding]) -> str | None:
    """The supported currency code the invoice is in, or None.

    A code carrying invisible characters ("GBP" + U+200B) is read as the code a person
    sees: the invisible characters are an error of their own (review, not a flag).
    """
    if invoice.currency is None:
        return None
    visible = clean_identifier(invoice.currency)
    if visible is not None and is_supported_currency(visible):
        return visible
    findings.append(
        Finding(
            code="currency.unsupported",
            severity="error",
            message=f"currency {invoice.currency!r} is not supported",
            field="currency",
            actual=invoice.currency,
        )
    )
    return None


def _check_arithmetic(
    invoice: Invoice, findings: list[Finding], settings: PolicySections, money: _Money
) -> Invoice:
    lines = _check_lines(invoice.line_items, findings, settings, money)
    updated = invoice.model_copy(update={"line_items": lines})
    complete = bool(lines) and all(line.line_total_minor is not None for line in lines)
    if lines and not complete:
        findings.append(
            Finding(
                code="arithmetic.lines_incomplete",
                severity="warning",
                message="some line items have no total; lines cannot be added up",
                field="line_items",
            )
        )
    if complete:
        updated = _reconcile_with_lines(updated, findings, settings, money)
    else:
        _check_header_totals(updated, findings, money)
    _check_tax_per_rate(updated, findings, money)
    return updated


def _check_lines(
    lines: list[LineItem], findings: list[Finding], settings: PolicySections, money: _Money
) -> list[LineItem]:
    tolerance = settings.validation.rounding_tolerance_per_line_minor
    checked: list[LineItem] = []
    for index, line in enumerate(lines):
        field = f"line_items[{index}].line_total_minor"
        if line.quantity is None or line.unit_price_minor is None:
            checked.append(line)
            continue
        expected = round_half_up(line.quantity * line.unit_price_minor)
        if not _fits(expected, settings):
            findings.append(
                _out_of_range(field, expected, settings, money, "quantity x unit price:")
            )
            checked.append(line)
            continue
        if line.line_total_minor is None:
            findings.append(
                Finding(
                    code="arithmetic.line_total_filled",
                    severity="info",
                    message=f"line {index + 1}: total computed as quantity x unit price",
                    field=field,
                    expected=str(expected),
                )
            )
            checked.append(line.model_copy(update={"line_total_minor": expected}))
            continue
        if abs(expected - line.line_total_minor) > tolerance:
            findings.append(
                Finding(
                    code="arithmetic.line_total_mismatch",
                    severity="error",
                    message=(
                        f"line {index + 1}: {line.quantity} x {money(line.unit_price_minor)}"
                        f" = {money(expected)}, but the line total is"
                        f" {money(line.line_total_minor)}"
                    ),
                    field=field,
                    expected=str(expected),
                    actual=str(line.line_total_minor),
                )
            )
        checked.append(line)
    return checked


def _reconcile_with_lines(
    invoice: Invoice, findings: list[Finding], settings: PolicySections, money: _Money
) -> Invoice:
    """Lines are complete: they decide the net (or gross) amount."""
    lines_sum = sum(line.line_total_minor or 0 for line in invoice.line_items)
    adjusted = lines_sum + invoice.charge_total_minor - invoice.allowance_total_minor
    if not _fits(adjusted, settings):
        findings.append(
            _out_of_range("line_items", adjusted, settings, money, "the sum of the lines:")
        )
        _check_header_totals(invoice, findings, money)
        return invoice
    # One minor unit per line: suppliers round each line before adding up.
    tolerance = len(invoice.line_items)
    inclusive = invoice.amounts_tax_inclusive
    if (
        not inclusive
        and invoice.total_minor is not None
        and invoice.tax_total_minor
        and abs(adjusted - invoice.total_minor) <= tolerance
        and (invoice.subtotal_minor is None or abs(adjusted - invoice.subtotal_minor) > tolerance)
    ):
        inclusive = True
        findings.append(
            Finding(
                code="arithmetic.amounts_look_tax_inclusive",
                severity="warning",
                message=(
                    "the line totals add up to the gross total, so amounts are treated as"
                    " tax-inclusive"
                ),
                field="amounts_tax_inclusive",
            )
        )
        invoice = invoice.model_copy(update={"amounts_tax_inclusive": True})
    if inclusive:
        return _reconcile_inclusive(invoice, adjusted, tolerance, findings, money)
    return _reconcile_exclusive(invoice, adjusted, tolerance, findings, settings, money)


def _reconcile_exclusive(
    invoice: Invoice,
    net: int,
    tolerance: int,
    findings: list[Finding],
    settings: PolicySections,
    money: _Money,
) -> Invoice:
    subtotal = invoice.subtotal_minor
    if subtotal is None:
        findings.append(
            Finding(
                code="arithmetic.subtotal_filled",
                severity="warning",
                message=f"subtotal missing; taken from the line items ({money(net)})",
                field="subtotal_minor",
                expected=str(net),
            )
        )
        subtotal = net
    elif abs(subtotal - net) > tolerance:
        findings.append(
            Finding(
                code="arithmetic.subtotal_recomputed",
                severity="error",
                message=(
                    f"printed subtotal {money(subtotal)} disagrees with the line items"
                    f" ({money(net)}); the line items are used"
                ),
                field="subtotal_minor",
                expected=str(net),
                actual=str(subtotal),
            )
        )
        subtotal = net
    tax = invoice.tax_total_minor
    total = invoice.total_minor
    if tax is None and total is not None and not _fits(total - subtotal, settings):
        findings.append(
            _out_of_range("tax_total_minor", total - subtotal, settings, money, "total - subtotal:")
        )
    elif tax is None and total is not None:
        tax = total - subtotal
        findings.append(
            Finding(
                code="arithmetic.tax_total_derived",
                severity="warning",
                message=f"tax total missing; taken as total - subtotal ({money(tax)})",
                field="tax_total_minor",
                expected=str(tax),
            )
        )
    if tax is not None and total is not None:
        expected_total = subtotal + tax
        if not _fits(expected_total, settings):
            findings.append(
                _out_of_range("total_minor", expected_total, settings, money, "subtotal + tax:")
            )
        elif abs(expected_total - total) > 1:
            findings.append(
                Finding(
                    code="arithmetic.total_recomputed",
                    severity="error",
                    message=(
                        f"printed total {money(total)} disagrees with line items + tax"
                        f" ({money(expected_total)}); the recomputed total is used"
                    ),
                    field="total_minor",
                    expected=str(expected_total),
                    actual=str(total),
                )
            )
            total = expected_total
    return invoice.model_copy(
        update={"subtotal_minor": subtotal, "tax_total_minor": tax, "total_minor": total}
    )


def _reconcile_inclusive(
    invoice: Invoice, gross: int, tolerance: int, findings: list[Finding], money: _Money
) -> Invoice:
    total = invoice.total_minor
    if total is not None and abs(total - gross) > tolerance:
        findings.append(
            Finding(
                code="arithmetic.total_recomputed",
                severity="error",
                message=(
                    f"printed total {money(total)} disagrees with the tax-inclusive line items"
                    f" ({money(gross)}); the line items are used"
                ),
                field="total_minor",
                expected=str(gross),
                actual=str(total),
            )
        )
        total = gross
    updated = invoice.model_copy(update={"total_minor": total})
    _check_header_totals(updated, findings, money)
    return updated


def _check_header_totals(invoice: Invoice, findings: list[Finding], money: _Money) -> None:
    """Without usable lines only subtotal + tax = total can be checked (and not corrected)."""
    subtotal, tax, total = invoice.subtotal_minor, invoice.tax_total_minor, invoice.total_minor
    if subtotal is None or tax is None or total is None:
        return
    if abs(subtotal + tax - total) > 1:
        findings.append(
            Finding(
                code="arithmetic.total_mismatch",
                severity="error",
                message=(
                    f"subtotal {money(subtotal)} + tax {money(tax)} = {money(subtotal + tax)},"
                    f" but the total is {money(total)}"
                ),
                field="total_minor",
                expected=str(subtotal + tax),
                actual=str(total),
            )
        )


def _check_tax_per_rate(invoice: Invoice, findings: list[Finding], money: _Money) -> None:
    """Recompute tax per rate when every line carries a rate and a total.

    Document-level allowances/charges carry their own rates we do not have, so the
    check is skipped for them rather than guessed.
    """
    lines = invoice.line_items
    if not lines or invoice.tax_total_minor is None:
        return
    if invoice.allowance_total_minor or invoice.charge_total_minor:
        return
    if any(line.tax_rate is None or line.line_total_minor is None for line in lines):
        return
    basis: dict[Decimal, int] = defaultdict(int)
    for line in lines:
        assert line.tax_rate is not None and line.line_total_minor is not None
        basis[line.tax_rate.normalize()] += line.line_total_minor
    expected = 0
    for rate, amount in basis.items():
        if invoice.amounts_tax_inclusive:
            expected += amount - round_half_up(amount * 100 / (100 + rate))
        else:
            expected += round_half_up(amount * rate / 100)
    if abs(expected - invoice.tax_total_minor) > len(basis):
        findings.append(
            Finding(
                code="tax.total_mismatch",
                severity="warning",
                message=(
                    f"tax recomputed per rate is {money(expected)}, but the tax total is"
                    f" {money(invoice.tax_total_minor)}"
                ),
                field="tax_total_minor",
                expected=str(expected),
                actual=str(invoice.tax_total_minor),
            )
        )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, or beyond year 9999
        if day.year + years > dt.MAXYEAR:
            return dt.date.max
        return day.replace(year=day.year + years, day=28)


def _printed(field: str, evidence: Sequence[FieldEvidence]) -> str:
    """' (printed as "...")' when the extractor kept the text the date was read from."""
    for ev in evidence:
        if ev.field == field and ev.source_text and ev.source_text != CORRECTION_SOURCE:
            text = " ".join(ev.source_text.split())
            if len(text) > 80:
                text = text[:77] + "..."
            return f' (printed as "{text}")'
    return ""


def _implausible_issue(findings: list[Finding]) -> bool:
    return any(f.code == "date.issue_implausible" for f in findings)


def _check_dates(
    invoice: Invoice,
    *,
    today: dt.date,
    settings: PolicySections,
    evidence: Sequence[FieldEvidence] = (),
) -> list[Finding]:
    findings: list[Finding] = []
    issue, due = invoice.issue_date, invoice.due_date
    rules = settings.validation

    def error(code: str, field: str, day: dt.date, why: str) -> None:
        findings.append(
            Finding(
                code=code,
                severity="error",
                message=f"{why}{_printed(field, evidence)}",
                field=field,
                actual=day.isoformat(),
            )
        )

    if issue is not None:
        latest_plausible = today + dt.timedelta(days=rules.max_issue_days_after_today)
        latest = today + dt.timedelta(days=rules.future_issue_date_slack_days)
        if issue.year < rules.earliest_issue_year or issue > latest_plausible:
            error(
                "date.issue_implausible",
                "issue_date",
                issue,
                f"issue date {issue} is implausible (before {rules.earliest_issue_year} or more"
                f" than {rules.max_issue_days_after_today} days after today, {today})",
            )
        elif issue > latest:
            error(
                "date.issue_in_future",
                "issue_date",
                issue,
                f"issue date {issue} is in the future (today is {today})",
            )
    if due is not None:
        # An implausible issue date cannot anchor the horizon: measure from today instead.
        anchor = issue if issue is not None and not _implausible_issue(findings) else None
        horizon = _add_years(anchor or today, rules.max_due_years_after_issue)
        if due.year < rules.earliest_issue_year or due > horizon:
            after = "the issue date" if anchor is not None else "today"
            error(
                "date.due_implausible",
                "due_date",
                due,
                f"due date {due} is implausible (before {rules.earliest_issue_year} or more than"
                f" {rules.max_due_years_after_issue} years after {after})",
            )
        elif issue is not None and due < issue:
            error(
                "date.due_before_issue",
                "due_date",
                due,
                f"due date {due} is before the issue date {issue}",
            )
        elif issue is not None and (due - issue).days > rules.max_due_days_after_issue:
            findings.append(
                Finding(
                    code="date.due_too_far",
                    severity="warning",
                    message=(
                        f"due date {due} is {(due - issue).days} days after the issue date"
                        f" (more than {rules.max_due_days_after_issue})"
                    ),
                    field="due_date",
                    actual=due.isoformat(),
                )
            )
    return findings


def _check_tax_rates(
    invoice: Invoice, *, settings: PolicySections, currency: str | None
) -> list[Finding]:
    rates = [
        (i, line.tax_rate) for i, line in enumerate(invoice.line_items) if line.tax_rate is not None
    ]
    if not rates or currency is None:
        return []
    allowed = settings.validation.tax_rates.get(currency)
    if allowed is None:
        return [
            Finding(
                code="tax.rates_not_configured",
                severity="warning",
                message=f"no tax rates are configured for {currency}; rates not checked",
                field="line_items",
            )
        ]
    findings: list[Finding] = []
    for index, rate in rates:
        if rate not in allowed:
            findings.append(
                Finding(
                    code="tax.rate_not_allowed",
                    severity="error",
                    message=(
                        f"line {index + 1}: tax rate {rate}% is not an allowed"
                        f" {currency} rate ({', '.join(str(r) for r in allowed)})"
                    ),
                    field=f"line_items[{index}].tax_rate",
                    actual=str(rate),
                )
            )
    return findings
