"""Purchase orders, goods receipts and the invoices already booked against them.

Amounts are integer minor units of the PO's currency and net of tax (a purchase order
states what was ordered, not the VAT an invoice adds). Quantities are decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.money import MinorAmount, Quantity

PoStatus = Literal["open", "partially_received", "closed"]


class PoLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: int = Field(ge=1)
    description: str
    quantity: Quantity
    unit_price_minor: MinorAmount
    line_total_minor: MinorAmount


class ReceiptLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: int = Field(ge=1, description="the PO line received against")
    quantity: Quantity


class GoodsReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    receipt_id: str
    po_number: str
    received_on: dt.date
    lines: list[ReceiptLine]


class InvoicedRecord(BaseModel):
    """An invoice already booked against a PO (the register that stops double payment)."""

    model_config = ConfigDict(extra="forbid")

    po_number: str
    supplier_name: str
    invoice_number: str
    amount_minor: MinorAmount = Field(description="net amount booked against the PO")
    invoiced_on: dt.date


class PurchaseOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    po_number: str
    supplier_name: str
    supplier_vat_id: str | None = None
    currency: str
    status: PoStatus
    issued_on: dt.date
    lines: list[PoLine]

    @property
    def total_minor(self) -> int:
        return sum(line.line_total_minor for line in self.lines)


class PoFacts(BaseModel):
    """Everything code needs to judge one PO: the order, its receipts, what was invoiced."""

    model_config = ConfigDict(extra="forbid")

    po: PurchaseOrder
    receipts: list[GoodsReceipt] = Field(default_factory=list)
    invoiced: list[InvoicedRecord] = Field(default_factory=list)

    def received_quantity(self, line_no: int) -> Decimal:
        return sum(
            (rl.quantity for r in self.receipts for rl in r.lines if rl.line_no == line_no),
            Decimal(0),
        )

    @property
    def received_minor(self) -> int:
        """The value of what was delivered, at the PO's prices (rounded half up per line)."""
        total = 0
        for line in self.po.lines:
            qty = min(self.received_quantity(line.line_no), line.quantity)
            total += int((qty * line.unit_price_minor).quantize(Decimal(1), ROUND_HALF_UP))
        return total

    @property
    def invoiced_minor(self) -> int:
        return sum(r.amount_minor for r in self.invoiced)


class SupplierHistory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supplier_name: str
    known: bool
    purchase_orders: int
    open_purchase_orders: int
    invoices_booked: int
    currencies: list[str]
    last_invoice_on: dt.date | None = None


class CandidateSet(BaseModel):
    """What the store knows that could settle one invoice: the POs its printed references
    name, the supplier's POs, POs of any supplier near its amount, and the invoices
    already booked under the same supplier and number."""

    model_config = ConfigDict(extra="forbid")

    by_reference: list[PoFacts] = Field(default_factory=list)
    by_supplier: list[PoFacts] = Field(default_factory=list)
    by_amount: list[PoFacts] = Field(default_factory=list)
    same_invoice: list[InvoicedRecord] = Field(default_factory=list)
    supplier_known: bool = False
