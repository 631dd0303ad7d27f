"""The strict output contract a model must fill, and its local re-validation.

Strict structured outputs require every field and allow no defaults, so optional
values are nullable. Decimals and dates travel as strings (exact, no float
rounding) and are checked here; whatever the model returns is re-validated before
it becomes an `Invoice`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.invoice.extraction import ExtractionProblem, FieldEvidence
from schemas.invoice.invoice import Invoice, LineItem
from vouchflow.documents.text_safety import safe_text
from vouchflow.invoice.extraction.problems import (
    bounded_int_minor,
    bounded_quantity,
    bounded_rate,
    checked_iso_date,
)

OUTPUT_SCHEMA_NAME = "invoice_extraction_v1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StrictLineItem(_Strict):
    description: str
    quantity: str | None = Field(description="decimal as a string, e.g. '2' or '1.5'")
    unit_price_minor: int | None = Field(description="integer minor units (cents)")
    tax_rate: str | None = Field(description="percent as a string, e.g. '20' for 20% VAT")
    line_total_minor: int | None = Field(description="integer minor units (cents)")


class StrictEvidence(_Strict):
    field: str = Field(description="field name, e.g. 'total_minor'")
    source_text: str | None = Field(description="the exact text the value was read from")
    certainty: float = Field(description="0..1, how sure you are of this field")


class StrictInvoiceOutput(_Strict):
    """Mirror of schemas.invoice.Invoice for strict structured output."""

    invoice_likelihood: float = Field(description="0..1: is this document an invoice at all?")
    supplier_name: str | None
    invoice_number: str | None
    issue_date: str | None = Field(description="ISO date YYYY-MM-DD")
    due_date: str | None = Field(description="ISO date YYYY-MM-DD")
    currency: str | None = Field(description="ISO 4217 code, e.g. EUR")
    subtotal_minor: int | None = Field(description="net total, integer minor units")
    tax_total_minor: int | None = Field(description="total tax, integer minor units")
    total_minor: int | None = Field(description="gross total, integer minor units")
    amounts_tax_inclusive: bool
    supplier_vat_id: str | None
    buyer_name: str | None
    line_items: list[StrictLineItem]
    evidence: list[StrictEvidence]


class ParsedOutput(BaseModel):
    invoice: Invoice
    evidence: list[FieldEvidence]
    invoice_likelihood: float
    # Values the model gave that cannot be trusted (out of range, impossible dates):
    # the field is left empty and the problem kept, as for any other extractor.
    problems: list[ExtractionProblem] = Field(default_factory=list)


_ISO_SHAPE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")


def _clean(value: Any) -> Any:
    """JSON escapes can smuggle lone surrogates ("\\ud800") into strings: clean them all."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _date(
    value: str | None, field: str, errors: list[str], problems: list[ExtractionProblem]
) -> str | None:
    """A well-shaped ISO date is checked like a printed one (impossible or implausible:
    empty plus a problem); anything else is a format error the model can repair."""
    if value is None or not value.strip():
        return None
    if not _ISO_SHAPE.match(value):
        errors.append(f"{field}: {value!r} is not an ISO date YYYY-MM-DD")
        return None
    checked = checked_iso_date(value, field, problems)
    return checked.isoformat() if checked else None


def _decimal(value: str | None, where: str, errors: list[str]) -> Decimal | None:
    if value is None:
        return None
    try:
        parsed = Decimal(value.strip())
    except InvalidOperation:
        errors.append(f"{where}: {value!r} is not a decimal number")
        return None
    if not parsed.is_finite():
        errors.append(f"{where}: {value!r} is not a finite number")
        return None
    return parsed


def _validation_messages(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "(root)"
        out.append(f"{loc}: {err['msg']}")
    return out


def parse_output(raw_text: str) -> tuple[ParsedOutput | None, list[str]]:
    """Model text -> (parsed invoice, []) or (None, human-readable errors for a repair)."""
    try:
        data = _clean(json.loads(raw_text))
    except json.JSONDecodeError as exc:
        return None, [f"output is not valid JSON: {exc.msg} at position {exc.pos}"]
    except RecursionError:
        return None, ["output is nested too deeply to be an invoice"]
    try:
        out = StrictInvoiceOutput.model_validate(data)
    except ValidationError as exc:
        return None, _validation_messages(exc)

    errors: list[str] = []
    if not 0.0 <= out.invoice_likelihood <= 1.0:
        errors.append("invoice_likelihood: must be between 0 and 1")
    if out.currency is not None and not (len(out.currency) == 3 and out.currency.isalpha()):
        errors.append(f"currency: {out.currency!r} is not an ISO 4217 code")
    problems: list[ExtractionProblem] = []
    lines: list[LineItem] = []
    for i, line in enumerate(out.line_items):
        at = f"line_items[{i}]"
        lines.append(
            LineItem(
                description=line.description,
                quantity=bounded_quantity(
                    _decimal(line.quantity, f"line_items.{i}.quantity", errors),
                    f"{at}.quantity",
                    line.quantity,
                    problems,
                ),
                unit_price_minor=bounded_int_minor(
                    line.unit_price_minor, f"{at}.unit_price_minor", problems
                ),
                tax_rate=bounded_rate(
                    _decimal(line.tax_rate, f"line_items.{i}.tax_rate", errors),
                    f"{at}.tax_rate",
                    line.tax_rate,
                    problems,
                ),
                line_total_minor=bounded_int_minor(
                    line.line_total_minor, f"{at}.line_total_minor", problems
                ),
            )
        )
    issue_date = _date(out.issue_date, "issue_date", errors, problems)
    due_date = _date(out.due_date, "due_date", errors, problems)
    for i, ev in enumerate(out.evidence):
        if not 0.0 <= ev.certainty <= 1.0:
            errors.append(f"evidence.{i}.certainty: must be between 0 and 1")
    if errors:
        return None, errors
    try:
        invoice = Invoice.model_validate(
            {
                "supplier_name": out.supplier_name,
                "invoice_number": out.invoice_number,
                "issue_date": issue_date,
                "due_date": due_date,
                "currency": out.currency.upper() if out.currency else None,
                "subtotal_minor": bounded_int_minor(out.subtotal_minor, "subtotal_minor", problems),
                "tax_total_minor": bounded_int_minor(
                    out.tax_total_minor, "tax_total_minor", problems
                ),
                "total_minor": bounded_int_minor(out.total_minor, "total_minor", problems),
                "line_items": lines,
                "amounts_tax_inclusive": out.amounts_tax_inclusive,
                "supplier_vat_id": out.supplier_vat_id,
                "buyer_name": out.buyer_name,
            }
        )
    except ValidationError as exc:
        return None, _validation_messages(exc)
    values = invoice.model_dump(mode="json")
    evidence = [
        FieldEvidence(
            field=ev.field,
            value=_evidence_value(values, ev.field),
            source_text=ev.source_text,
            certainty=ev.certainty,
        )
        for ev in out.evidence
    ]
    return ParsedOutput(
        invoice=invoice,
        evidence=evidence,
        invoice_likelihood=out.invoice_likelihood,
        problems=problems,
    ), []


def _evidence_value(values: dict[str, object], field: str) -> str | None:
    value = values.get(field)
    return None if value is None or isinstance(value, list | dict) else str(value)
