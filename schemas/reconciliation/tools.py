"""The agent's tools: typed parameters and typed results.

Parameters are strict-schema friendly (every field required, optional ones nullable), so
the same model is the schema sent to the provider and the validator of what comes back.
Results carry at most N items and a one-line summary of what was left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.common.money import MinorAmount
from schemas.reconciliation.purchase_orders import (
    GoodsReceipt,
    InvoicedRecord,
    PoStatus,
    PurchaseOrder,
    SupplierHistory,
)

# Room for the longest PO number or supplier name a tool needs; anything longer is noise.
_SHORT = 120


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QueryPurchaseOrdersParams(_Params):
    # Defaults only help providers that leave out a null; the strict schema sent to
    # them still lists every field as required.
    supplier_name: str | None = Field(default=None, max_length=_SHORT)
    min_amount_minor: MinorAmount | None = Field(default=None, ge=0)
    max_amount_minor: MinorAmount | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    status: PoStatus | Literal["any"] | None = None

    @model_validator(mode="after")
    def _narrow(self) -> QueryPurchaseOrdersParams:
        # Least privilege: a query must be about a supplier or an amount, never "all POs".
        if (
            not self.supplier_name
            and self.min_amount_minor is None
            and (self.max_amount_minor is None)
        ):
            raise ValueError("give a supplier_name or an amount range")
        if (
            self.min_amount_minor is not None
            and self.max_amount_minor is not None
            and self.min_amount_minor > self.max_amount_minor
        ):
            raise ValueError("min_amount_minor is above max_amount_minor")
        if self.issued_from and self.issued_to and self.issued_from > self.issued_to:
            raise ValueError("issued_from is after issued_to")
        return self


class PoNumberParams(_Params):
    po_number: str = Field(min_length=1, max_length=_SHORT)


class CheckDuplicateParams(_Params):
    supplier_name: str = Field(min_length=1, max_length=_SHORT)
    invoice_number: str = Field(min_length=1, max_length=_SHORT)


class SupplierParams(_Params):
    supplier_name: str = Field(min_length=1, max_length=_SHORT)


class ProposeMatchParams(_Params):
    po_number: str = Field(min_length=1, max_length=_SHORT)
    line_numbers: list[int] = Field(max_length=100)
    explanation: str = Field(min_length=1, max_length=2_000)


class EscalateParams(_Params):
    reason: str = Field(min_length=1, max_length=2_000)


class PoSummary(BaseModel):
    """A PO as a model sees it in a list: enough to choose, not the whole order."""

    model_config = ConfigDict(extra="forbid")

    po_number: str
    supplier_name: str
    currency: str
    status: PoStatus
    issued_on: dt.date
    total_minor: MinorAmount
    received_minor: MinorAmount
    invoiced_minor: MinorAmount
    lines: int


class PoListResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[PoSummary]
    total: int
    summary: str


class PoDetailResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    found: bool
    purchase_order: PurchaseOrder | None = None
    received_minor: MinorAmount = 0
    invoiced_minor: MinorAmount = 0
    summary: str


class ReceiptsResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[GoodsReceipt]
    total: int
    summary: str


class DuplicateResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duplicate: bool
    items: list[InvoicedRecord]
    total: int
    summary: str


class SupplierHistoryResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    history: SupplierHistory
    recent_invoices: list[InvoicedRecord]
    summary: str


ToolName = Literal[
    "query_purchase_orders",
    "get_purchase_order",
    "get_goods_receipts",
    "check_duplicate_invoice",
    "get_supplier_history",
]


class ToolRequest(BaseModel):
    """A validated call, as the workflow hands it to the tool's activity."""

    model_config = ConfigDict(extra="forbid")

    name: ToolName
    arguments: dict[str, object]
    max_results: int = Field(ge=1, le=50)


class ToolResponse(BaseModel):
    """What a tool activity returns: the typed result as JSON (already truncated), a
    one-line summary for the audit trail, and how long it took."""

    model_config = ConfigDict(extra="forbid")

    name: ToolName
    content: str
    summary: str
    latency_ms: int
