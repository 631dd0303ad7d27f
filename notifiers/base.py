"""The notifier interface. `notify` must not post twice for the same
idempotency key; a notification with `update_ref` updates an earlier message."""

from __future__ import annotations

from typing import Protocol

from schemas.effects import Notification, NotificationReceipt


class NotifierError(Exception):
    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class Notifier(Protocol):
    name: str

    async def notify(self, notification: Notification) -> NotificationReceipt: ...
