"""Build the Xero bill (ACCPAY invoice) or supplier credit note (ACCPAYCREDIT) body
from an `Invoice`.

Amounts go on the wire as exact decimal numbers derived from integer minor units;
no float is ever involved. In Xero the document type carries the sign: a credit
note's amounts are positive, so a credit note read with minus signs is posted with
every amount negated (`destinations.base.posting_amounts`). The supplier's number is
sent as a person reads it (`clean_identifier`: no invisible characters).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, localcontext
from typing import Any

from schemas.common.money import exponent
from schemas.invoice.invoice import Invoice, LineItem
from vouchflow.destinations.base import DestinationError, check_draftable, posting_amounts
from vouchflow.destinations.xero_config import XeroSettings
from vouchflow.invoice.rules.identifiers import clean_identifier


def ms_date(day: dt.date) -> str:
    """Dates as the official SDK sends them: Microsoft JSON form, midnight UTC."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return f"/Date({int(midnight.timestamp()) * 1000})/"


def to_major(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor).scaleb(-exponent(currency))


def dumps_exact(value: Any) -> str:
    """JSON with Decimals written as numbers, digit for digit (json.dumps would need floats)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return format(value, "f")
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))}:{dumps_exact(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps_exact(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _bad(message: str) -> DestinationError:
    return DestinationError(message, retryable=False)


def _tax_type(settings: XeroSettings, rate: Decimal | None) -> str:
    tax_type = settings.tax_type_for(rate)
    if tax_type is None:
        what = "no stated tax rate" if rate is None else f"tax rate {rate}%"
        raise _bad(f"no Xero tax type configured for {what}; add it to [xero.tax_types]; review")
    return tax_type


def _line(item: LineItem, currency: str, settings: XeroSettings) -> dict[str, Any]:
    if item.line_total_minor is None and item.unit_price_minor is None:
        raise _bad(f"line {item.description!r} has no amount; review")
    quantity = item.quantity if item.quantity is not None else Decimal(1)
    unit_minor = item.unit_price_minor
    line_total = item.line_total_minor
    if line_total is None:
        assert unit_minor is not None
        line_total = int((quantity * unit_minor).to_integral_value())
    # Xero recomputes Quantity x UnitAmount; when that would not reproduce the
    # invoice's line total (discounts, rounding), post the total as one unit.
    if unit_minor is None or abs(quantity * unit_minor - line_total) > 1:
        quantity, unit_minor = Decimal(1), line_total
    return {
        "Description": item.description[:4000],
        "Quantity": quantity,
        "UnitAmount": to_major(unit_minor, currency),
        "LineAmount": to_major(line_total, currency),
        "AccountCode": settings.account_code,
        "TaxType": _tax_type(settings, item.tax_rate),
    }


def _summary_line(invoice: Invoice, currency: str, settings: XeroSettings) -> dict[str, Any]:
    """A single line for an invoice without line items: its net total at its implied rate."""
    net, tax = invoice.subtotal_minor, invoice.tax_total_minor
    if net is None or tax is None or net <= 0:
        raise _bad("invoice has no line items and no subtotal/tax to summarise; review")
    rate = next(
        (r for r in settings.tax_types if abs(net * r / 100 - tax) <= 1),
        None,
    )
    if rate is None:
        raise _bad("invoice has no line items and its tax matches no configured rate; review")
    return {
        "Description": (
            f"{'Credit note' if invoice.document_type == 'credit_note' else 'Invoice'}"
            f" {clean_identifier(invoice.invoice_number) or ''}"
        ).strip(),
        "Quantity": Decimal(1),
        "UnitAmount": to_major(net, currency),
        "LineAmount": to_major(net, currency),
        "AccountCode": settings.account_code,
        "TaxType": _tax_type(settings, rate),
    }


def xero_type(invoice: Invoice) -> str:
    return "ACCPAYCREDIT" if invoice.document_type == "credit_note" else "ACCPAY"


def bill_payload(
    invoice: Invoice, contact_id: str, settings: XeroSettings, *, url: str | None = None
) -> dict[str, Any]:
    """The body of one element of ``{"Invoices": [...]}`` or ``{"CreditNotes": [...]}``."""
    check_draftable(invoice)
    number = clean_identifier(invoice.invoice_number)
    if not number or not invoice.currency:
        raise _bad("invoice number and currency are required for a Xero bill; review")
    credit_note = invoice.document_type == "credit_note"
    invoice = posting_amounts(invoice)
    currency = invoice.currency
    assert currency is not None
    if invoice.line_items:
        with localcontext() as ctx:
            # Bounded quantity x 64-bit price needs ~50 digits; the default 28 would round.
            ctx.prec = 120
            lines = [_line(item, currency, settings) for item in invoice.line_items]
        amount_types = "Inclusive" if invoice.amounts_tax_inclusive else "Exclusive"
    else:
        lines = [_summary_line(invoice, currency, settings)]
        amount_types = "Exclusive"
    body: dict[str, Any] = {
        "Type": xero_type(invoice),
        "Status": "DRAFT",
        "Contact": {"ContactID": contact_id},
        ("CreditNoteNumber" if credit_note else "InvoiceNumber"): number,
        "CurrencyCode": currency,
        "LineAmountTypes": amount_types,
        "LineItems": lines,
    }
    if invoice.issue_date:
        body["Date"] = ms_date(invoice.issue_date)
    if invoice.due_date:
        body["DueDate"] = ms_date(invoice.due_date)
    if url and not credit_note:  # credit notes have no Url field in Xero
        body["Url"] = url
    return body
