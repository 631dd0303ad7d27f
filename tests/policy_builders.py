"""Invoices and extraction results for the policy tests (confidence, routing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from schemas.invoice.extraction import ExtractionResult, ExtractorInfo, FieldEvidence
from schemas.invoice.invoice import Invoice, LineItem

TODAY = dt.date(2025, 3, 10)
KEY_FIELDS = ("supplier_name", "invoice_number", "issue_date", "currency", "total_minor")


def make_invoice(**overrides: Any) -> Invoice:
    base: dict[str, Any] = {
        "supplier_name": "Acme Office Supplies Ltd",
        "invoice_number": "INV-1001",
        "issue_date": dt.date(2025, 3, 1),
        "due_date": dt.date(2025, 3, 31),
        "currency": "GBP",
        "subtotal_minor": 10_000,
        "tax_total_minor": 2_000,
        "total_minor": 12_000,
        "line_items": [
            LineItem(
                description="Paper",
                quantity=Decimal("10"),
                unit_price_minor=1_000,
                tax_rate=Decimal("20"),
                line_total_minor=10_000,
            )
        ],
    }
    base.update(overrides)
    return Invoice(**base)


def make_extraction(
    invoice: Invoice | None = None, certainty: float = 1.0, **overrides: Any
) -> ExtractionResult:
    evidence = [
        FieldEvidence(field=name, value="v", source_text="v", certainty=certainty)
        for name in KEY_FIELDS
    ]
    data: dict[str, Any] = {
        "invoice": invoice or make_invoice(),
        "evidence": evidence,
        "extractor": ExtractorInfo(kind="rules", name="rules extractor (no model)"),
    }
    data.update(overrides)
    return ExtractionResult(**data)
