"""The email transport interface. Sending the same `message_id` twice must not
deliver twice where the transport can tell (the outbox can; SMTP relies on the
workflow sending once and on the deterministic Message-ID for dedupe downstream).

Every transport sends `safe_email(m)`: the subject (and every header) on one line
and bounded, the body free of control and invisible format characters, bank details
and secrets masked in both.
"""

from __future__ import annotations

from typing import Protocol

from schemas.common.effects import EmailMessage, EmailReceipt
from vouchflow.stores.redact import clean_block, clean_text, redact_text

SUBJECT_MAX = 200
BODY_MAX = 100_000


class EmailError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class EmailTransport(Protocol):
    name: str

    async def send(self, message: EmailMessage) -> EmailReceipt: ...


def safe_email(message: EmailMessage) -> EmailMessage:
    return message.model_copy(
        update={
            "subject": redact_text(clean_text(message.subject, SUBJECT_MAX), emails=False),
            "body": redact_text(clean_block(message.body, BODY_MAX), emails=False),
            "workflow_id": clean_text(message.workflow_id, 200),
            "sender": clean_text(message.sender, 320),
            "to": [clean_text(address, 320) for address in message.to],
        }
    )
