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
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from schemas.assessment import Finding
from schemas.invoice import Invoice, LineItem
from schemas.money import format_minor, is_supported_currency
from settings.config import Settings

REQUIRED_FIELDS: dict[str, str] = {
    "supplier_name": "supplier name",
    "invoice_number": "invoice number",
    "issue_date": "issue date",
    "currency": "currency",
    "total_minor": "total",
}


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def validate_invoice(
    invoice: Invoice, *, today: dt.date, settings: Settings
) -> tuple[Invoice, list[Finding]]:
    """Return (invoice with totals recomputed, findings). Pure: no I/O, no clock."""
    findings: list[Finding] = []
    findings += _check_required(invoice)
    currency_ok = _check_currency(invoice, findings)
    money = _money_formatter(invoice.currency if currency_ok else None)
    checked = _check_arithmetic(invoice, findings, settings, money)
    findings += _check_dates(checked, today=today, settings=settings)
    findings += _check_tax_rates(checked, settings=settings, currency_ok=currency_ok)
    return checked, findings


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


def _check_currency(invoice: Invoice, findings: list[Finding]) -> bool:
    if invoice.currency is None:
        return False
    if is_supported_currency(invoice.currency):
        return True
    findings.append(
        Finding(
            code="currency.unsupported",
            severity="error",
            message=f"currency {invoice.currency!r} is not supported",
            field="currency",
            actual=invoice.currency,
        )
    )
    return False


def _check_arithmetic(
    invoice: Invoice, findings: list[Finding], settings: Settings, money: _Money
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
        updated = _reconcile_with_lines(updated, findings, money)
    else:
        _check_header_totals(updated, findings, money)
    _check_tax_per_rate(updated, findings, money)
    return updated


def _check_lines(
    lines: list[LineItem], findings: list[Finding], settings: Settings, money: _Money
) -> list[LineItem]:
    tolerance = settings.validation.rounding_tolerance_per_line_minor
    checked: list[LineItem] = []
    for index, line in enumerate(lines):
        field = f"line_items[{index}].line_total_minor"
        if line.quantity is None or line.unit_price_minor is None:
            checked.append(line)
            continue
        expected = round_half_up(line.quantity * line.unit_price_minor)
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


def _reconcile_with_lines(invoice: Invoice, findings: list[Finding], money: _Money) -> Invoice:
    """Lines are complete: they decide the net (or gross) amount."""
    lines_sum = sum(line.line_total_minor or 0 for line in invoice.line_items)
    adjusted = lines_sum + invoice.charge_total_minor - invoice.allowance_total_minor
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
    return _reconcile_exclusive(invoice, adjusted, tolerance, findings, money)


def _reconcile_exclusive(
    invoice: Invoice, net: int, tolerance: int, findings: list[Finding], money: _Money
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
    if tax is None and total is not None:
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
        if abs(expected_total - total) > 1:
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


def _check_dates(invoice: Invoice, *, today: dt.date, settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    issue, due = invoice.issue_date, invoice.due_date
    rules = settings.validation
    if issue is not None:
        latest = today + dt.timedelta(days=rules.future_issue_date_slack_days)
        if issue > latest:
            findings.append(
                Finding(
                    code="date.issue_in_future",
                    severity="error",
                    message=f"issue date {issue} is in the future (today is {today})",
                    field="issue_date",
                    actual=issue.isoformat(),
                )
            )
    if issue is not None and due is not None:
        if due < issue:
            findings.append(
                Finding(
                    code="date.due_before_issue",
                    severity="error",
                    message=f"due date {due} is before the issue date {issue}",
                    field="due_date",
                    actual=due.isoformat(),
                )
            )
        elif (due - issue).days > rules.max_due_days_after_issue:
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


def _check_tax_rates(invoice: Invoice, *, settings: Settings, currency_ok: bool) -> list[Finding]:
    rates = [
        (i, line.tax_rate) for i, line in enumerate(invoice.line_items) if line.tax_rate is not None
    ]
    if not rates or not currency_ok or invoice.currency is None:
        return []
    allowed = settings.validation.tax_rates.get(invoice.currency)
    if allowed is None:
        return [
            Finding(
                code="tax.rates_not_configured",
                severity="warning",
                message=f"no tax rates are configured for {invoice.currency}; rates not checked",
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
                        f" {invoice.currency} rate ({', '.join(str(r) for r in allowed)})"
                    ),
                    field=f"line_items[{index}].tax_rate",
                    actual=str(rate),
                )
            )
    return findings
