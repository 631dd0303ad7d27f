"""The notifier interface. `notify` must not post twice for the same
idempotency key; a notification with `update_ref` updates an earlier message.

Every notifier shows `safe_notification(n)`, never `n` itself: its texts come from
documents (file names, supplier names, reasons) and may carry line breaks that would
forge lines ("Status: approved by ..."), invisible or bidi characters, bank details
or secrets echoed by an integration.
"""

from __future__ import annotations

from typing import Protocol

from schemas.common.effects import Notification, NotificationReceipt
from vouchflow.stores.redact import clean_text, redact, redact_text, scrub_secrets

TITLE_MAX = 200
LINE_MAX = 1000
MAX_LINES = 50
LABEL_MAX = 60
FACT_MAX = 300


class NotifierError(Exception):
    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class Notifier(Protocol):
    name: str

    async def notify(self, notification: Notification) -> NotificationReceipt: ...


def _text(value: str, limit: int) -> str:
    return redact_text(clean_text(value, limit), emails=False)


def safe_notification(notification: Notification) -> Notification:
    """The notification with every shown text on one line, bounded, and redacted
    (IBANs and card numbers keep their last four characters; secrets are removed)."""
    facts: dict[str, str] = {}
    for label, value in notification.facts.items():
        key = clean_text(label, LABEL_MAX)
        # Labelled business facts (invoice number, supplier) stay readable.
        shown = redact({key: clean_text(value, FACT_MAX)})[key]
        facts[key] = scrub_secrets(str(shown))
    return notification.model_copy(
        update={
            "title": _text(notification.title, TITLE_MAX),
            "lines": [_text(line, LINE_MAX) for line in notification.lines[:MAX_LINES]],
            "facts": facts,
            "workflow_id": clean_text(notification.workflow_id, 200),
            "web_url": clean_text(notification.web_url, 2000) if notification.web_url else None,
        }
    )
