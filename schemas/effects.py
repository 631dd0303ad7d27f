"""Inputs and outputs of side effects (destination, notifier, email).

Each effect carries an idempotency key derived from the workflow id, never random.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.documents import BlobRef
from schemas.invoice import DocumentType, Invoice


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


NotificationKind = Literal[
    "approval_request",
    "reminder",
    "escalation",
    "decision",
    "auto_drafted",
    "flagged",
    "rejected_input",
    "reverted",
    "approval_refused",
]


class Notification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    kind: NotificationKind
    idempotency_key: str
    title: str
    lines: list[str] = Field(default_factory=list)
    # Slack: keep the message reference so a decision updates the same message.
    update_ref: str | None = None
    with_buttons: bool = False
    channels: list[str] = Field(default_factory=list)
    # Structured facts shown as labelled fields (e.g. Supplier, Total, Due, Confidence);
    # `lines` stays the human text.
    facts: dict[str, str] = Field(default_factory=dict)
    # Link to the workflow (Temporal Web UI or review page).
    web_url: str | None = None


class NotificationReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notifier: str
    ref: str | None = Field(default=None, description="e.g. Slack 'channel:ts'")


class EmailMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    message_id: str = Field(description="deterministic, from the workflow id")
    to: list[str]
    sender: str
    subject: str
    body: str


class EmailReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transport: str
    message_id: str
    sent_at: dt.datetime
    location: str | None = None
