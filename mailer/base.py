"""The email transport interface. Sending the same `message_id` twice must not
deliver twice where the transport can tell (the outbox can; SMTP relies on the
workflow sending once and on the deterministic Message-ID for dedupe downstream)."""

from __future__ import annotations

from typing import Protocol

from schemas.effects import EmailMessage, EmailReceipt


class EmailError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class EmailTransport(Protocol):
    name: str

    async def send(self, message: EmailMessage) -> EmailReceipt: ...
