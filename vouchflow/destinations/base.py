"""The destination interface. Every implementation must be idempotent on
`DraftBillRequest.idempotency_key` and must search for an existing bill before
creating one, so a retry hours later still finds the first bill."""

from __future__ import annotations

from typing import Protocol

from schemas.invoice.effects import (
    DraftBill,
    DraftBillRequest,
    DuplicateMatch,
    DuplicateQuery,
    RevertOutcome,
    RevertRequest,
)
from schemas.invoice.invoice import Invoice
from vouchflow.invoice.rules.approvals import draft_blockers


class DestinationError(Exception):
    """A destination failure. `retryable=False` means retrying cannot help."""

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class DuplicateBillError(DestinationError):
    """The destination already holds a live bill for this supplier + number (+ document
    type): posting a second one is refused. Never retryable; the workflow flags it."""

    def __init__(
        self, message: str, *, destination: str, bill_id: str, workflow_id: str | None
    ) -> None:
        super().__init__(message, retryable=False)
        self.destination = destination
        self.bill_id = bill_id
        self.workflow_id = workflow_id


def check_draftable(invoice: Invoice) -> None:
    """Last line of defence: whatever was approved, a draft never lacks supplier, number,
    currency or total, and an invoice never has a negative total."""
    blockers = draft_blockers(invoice)
    if blockers:
        raise DestinationError(
            f"refusing to create a draft: {'; '.join(blockers)}; review", retryable=False
        )


def posting_amounts(invoice: Invoice) -> Invoice:
    """The invoice as a destination books it: the document type carries the sign.

    A credit note printed with minus signs ("-£69.00") is booked as a credit note of
    69.00. Every amount is negated together (not each made absolute), so a credit note
    with a discount line still adds up.
    """
    if invoice.document_type != "credit_note" or (invoice.total_minor or 0) >= 0:
        return invoice

    def neg(value: int | None) -> int | None:
        return None if value is None else -value

    lines = [
        line.model_copy(
            update={
                "unit_price_minor": neg(line.unit_price_minor),
                "line_total_minor": neg(line.line_total_minor),
            }
        )
        for line in invoice.line_items
    ]
    return invoice.model_copy(
        update={
            "subtotal_minor": neg(invoice.subtotal_minor),
            "tax_total_minor": neg(invoice.tax_total_minor),
            "total_minor": neg(invoice.total_minor),
            "allowance_total_minor": -invoice.allowance_total_minor,
            "charge_total_minor": -invoice.charge_total_minor,
            "line_items": lines,
        }
    )


class Destination(Protocol):
    name: str

    async def find_duplicates(self, query: DuplicateQuery) -> list[DuplicateMatch]: ...

    async def create_draft_bill(self, request: DraftBillRequest, document: bytes) -> DraftBill: ...

    async def revert_draft_bill(self, request: RevertRequest) -> RevertOutcome: ...
