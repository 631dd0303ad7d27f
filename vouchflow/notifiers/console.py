"""The embedded notifier: a readable block on stdout and a JSON-lines log.

The log doubles as the idempotency record, so a retried activity (even in
another process) does not print or log the same notification twice. Both sinks
get the safe form of the notification (notifiers.base.safe_notification): one
line per field, no forged lines, bank details and secrets masked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import json
import sys
from pathlib import Path
from typing import TextIO

import structlog

from schemas.common.effects import Notification, NotificationReceipt
from vouchflow.notifiers.base import safe_notification

_log = structlog.get_logger("vouchflow.notifications")


def render_block(notification: Notification) -> str:
    """The human form of a notification, as printed to the console."""
    notification = safe_notification(notification)
    rule = "-" * 72
    out = [rule, f"[{notification.kind}] {notification.title}"]
    out += [f"  {label}: {value}" for label, value in notification.facts.items()]
    out += [f"  {line}" for line in notification.lines]
    if notification.web_url:
        out.append(f"  open: {notification.web_url}")
    if notification.with_buttons:
        out.append(f"  decide: vouchflow approve|reject {notification.workflow_id}")
    if notification.update_ref:
        out.append(f"  (updates {notification.update_ref})")
    out.append(rule)
    return "\n".join(out)


class ConsoleNotifier:
    name = "console"

    def __init__(self, log_path: Path | None, *, stream: TextIO | None = None) -> None:
        self.log_path = log_path
        self._stream = stream
        # Without a log file, idempotency holds within this process only.
        self._seen: set[str] = set()

    async def notify(self, notification: Notification) -> NotificationReceipt:
        notification = safe_notification(notification)
        fresh = await asyncio.to_thread(self._record, notification)
        if fresh:
            (self._stream or sys.stdout).write(render_block(notification) + "\n")
            _log.info(
                "notification",
                workflow_id=notification.workflow_id,
                kind=notification.kind,
                idempotency_key=notification.idempotency_key,
            )
        return NotificationReceipt(
            notifier=self.name, ref=f"console:{notification.idempotency_key}"
        )

    def _record(self, notification: Notification) -> bool:
        """Append to the log unless the key is there already; True when newly recorded."""
        key = notification.idempotency_key
        if self.log_path is None:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a+", encoding="utf-8") as handle:
            # The lock makes check-then-append atomic across processes.
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            for line in handle:
                try:
                    if json.loads(line).get("idempotency_key") == key:
                        return False
                except json.JSONDecodeError:
                    continue
            record = {"logged_at": dt.datetime.now(dt.UTC).isoformat(), **notification.model_dump()}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
        return True
