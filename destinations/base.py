"""The destination interface. Every implementation must be idempotent on
`DraftBillRequest.idempotency_key` and must search for an existing bill before
creating one, so a retry hours later still finds the first bill."""

from __future__ import annotations

from typing import Protocol

from schemas.effects import (
    DraftBill,
    DraftBillRequest,
    DuplicateMatch,
    DuplicateQuery,
    RevertOutcome,
    RevertRequest,
)


class DestinationError(Exception):
    """A destination failure. `retryable=False` means retrying cannot help."""

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class Destination(Protocol):
    name: str

    async def find_duplicates(self, query: DuplicateQuery) -> list[DuplicateMatch]: ...

    async def create_draft_bill(self, request: DraftBillRequest, document: bytes) -> DraftBill: ...

    async def revert_draft_bill(self, request: RevertRequest) -> RevertOutcome: ...
