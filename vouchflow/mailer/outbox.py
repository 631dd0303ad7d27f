"""The embedded email transport: RFC 5322 files in an outbox folder."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.message
import email.policy
import email.utils
import hashlib
import os
import re
import tempfile
from pathlib import Path

from schemas.common.effects import EmailMessage, EmailReceipt
from vouchflow.mailer.base import safe_email

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def message_id_header(message_id: str) -> str:
    """RFC 5322 msg-id form: '<left@right>'."""
    bare = message_id.strip().strip("<>")
    if "@" not in bare:
        bare += "@vouchflow"
    return f"<{bare}>"


def to_mime(
    message: EmailMessage, *, date: dt.datetime | None = None
) -> email.message.EmailMessage:
    """The RFC 5322 message, built from the safe form (see mailer.base.safe_email)."""
    message = safe_email(message)
    mime = email.message.EmailMessage(policy=email.policy.SMTP)
    mime["Message-ID"] = message_id_header(message.message_id)
    mime["From"] = message.sender
    mime["To"] = ", ".join(message.to)
    mime["Subject"] = message.subject
    mime["Date"] = email.utils.format_datetime(date or dt.datetime.now(dt.UTC))
    mime["X-Vouchflow-Workflow-Id"] = message.workflow_id
    mime.set_content(message.body)
    return mime


def outbox_filename(message_id: str) -> str:
    safe = _UNSAFE.sub("_", message_id.strip("<>"))[:100]
    # The hash keeps two ids that sanitise alike from colliding.
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:12]
    return f"{safe}.{digest}.eml"


class OutboxTransport:
    name = "outbox"

    def __init__(self, outbox_dir: Path) -> None:
        self.outbox_dir = outbox_dir

    async def send(self, message: EmailMessage) -> EmailReceipt:
        return await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> EmailReceipt:
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        target = self.outbox_dir / outbox_filename(message.message_id)
        now = dt.datetime.now(dt.UTC)
        if not target.exists():
            data = to_mime(message, date=now).as_bytes()
            fd, tmp = tempfile.mkstemp(dir=self.outbox_dir, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                # link() fails if another sender won the race: exactly one file either way.
                os.link(tmp, target)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        else:
            now = dt.datetime.fromtimestamp(target.stat().st_mtime, dt.UTC)
        return EmailReceipt(
            transport=self.name, message_id=message.message_id, sent_at=now, location=str(target)
        )
