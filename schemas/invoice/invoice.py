"""The invoice as vouchflow understands it.

Field names match the corpus ground truth (``../shared/corpus``) so extraction
output can be scored directly. Quantities and tax rates are decimals carried as
strings in JSON; every amount is integer minor units of ``currency``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.money import MinorAmount, Quantity, TaxRate

# A credit note is its own document type (Xero: ACCPAYCREDIT), never a bill to pay.
DocumentType = Literal["invoice", "credit_note"]


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    quantity: Quantity | None = None
    unit_price_minor: MinorAmount | None = None
    tax_rate: TaxRate | None = Field(default=None, description="percent, e.g. 20 for 20% VAT")
    line_total_minor: MinorAmount | None = None


# The invoice's header fields, in the order readers record their evidence: what extractors,
# templates, cross-checks and the corpus ground truth compare field by field.
HEADER_FIELDS: tuple[str, ...] = (
    "supplier_name",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "subtotal_minor",
    "tax_total_minor",
    "total_minor",
)


class Invoice(BaseModel):
    """An invoice as extracted (possibly incomplete); validation decides if it is usable."""

    model_config = ConfigDict(extra="forbid")

    supplier_name: str | None = None
    invoice_number: str | None = None
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    currency: str | None = Field(default=None, description="ISO 4217 code")
    subtotal_minor: MinorAmount | None = None
    tax_total_minor: MinorAmount | None = None
    total_minor: MinorAmount | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    # Beside the corpus fields: document-level adjustments (e-invoices carry them)
    # and how the amounts are stated, which the destination needs.
    allowance_total_minor: MinorAmount = 0
    charge_total_minor: MinorAmount = 0
    amounts_tax_inclusive: bool = False
    supplier_vat_id: str | None = None
    document_type: DocumentType = "invoice"
    buyer_name: str | None = None

    def ground_truth_view(self) -> dict[str, object]:
        """The invoice in the corpus ground-truth shape (decimals as strings, dates ISO)."""
        return self.model_dump(
            mode="json",
            include={*HEADER_FIELDS, "line_items"},
        )
