"""Inputs and outputs of side effects (destination, notifier, email).

Each effect carries an idempotency key derived from the workflow id, never random.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common.documents import BlobRef
from schemas.invoice.invoice import DocumentType, Invoice


class DraftBillRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    idempotency_key: str
    invoice: Invoice
    document: BlobRef
    document_filename: str


class DraftBill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    destination: str = Field(description="'local' or 'xero'")
    bill_id: str
    status: str = Field(description="destination status, e.g. DRAFT or DELETED")
    created: bool = Field(description="False when an existing bill was found and reused")
    attachment_id: str | None = None
    url: str | None = None


class DuplicateQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    supplier_name: str | None
    invoice_number: str | None
    document_sha256: str
    # A credit note and an invoice with the same supplier and number are different
    # documents (suppliers number them in separate series; Xero keeps them apart).
    document_type: DocumentType = "invoice"


class DuplicateMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bill_id: str
    workflow_id: str | None
    reason: Literal["same_supplier_and_number", "same_document"]


class RevertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    bill_id: str
    idempotency_key: str


class RevertOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reverted: bool
    status: str
    reason: str = ""
