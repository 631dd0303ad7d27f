"""SMTP as the email transport (aiosmtplib).

The Message-ID is the deterministic id from the workflow, so downstream systems
can spot a duplicate; the workflow itself sends once. Permanent 5xx refusals are
not retryable and carry the server's reason; 4xx and connection trouble are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import aiosmtplib
import structlog
from aiosmtplib.errors import SMTPRecipientsRefused, SMTPResponseException
from pydantic import BaseModel, ConfigDict, Field

from schemas.common.effects import EmailMessage, EmailReceipt
from vouchflow.mailer.base import EmailError
from vouchflow.mailer.outbox import to_mime
from vouchflow.settings.config import Duration

_log = structlog.get_logger("vouchflow.smtp")
REQUIRED_ENV = ("SMTP_HOST",)


class SmtpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starttls: bool = True
    use_tls: bool = False
    timeout: Duration = dt.timedelta(seconds=30)

    @classmethod
    def from_integrations(cls, integrations: Mapping[str, Any]) -> SmtpSettings:
        return cls.model_validate(integrations.get("smtp", {}))


class SmtpServer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    port: int
    username: str | None = None
    password: str | None = Field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str], settings: SmtpSettings) -> SmtpServer:
        if not env.get("SMTP_HOST"):
            raise ValueError("SMTP needs SMTP_HOST in the environment")
        default_port = 465 if settings.use_tls else 587 if settings.starttls else 25
        return cls(
            host=env["SMTP_HOST"],
            port=int(env.get("SMTP_PORT") or default_port),
            username=env.get("SMTP_USERNAME") or None,
            password=env.get("SMTP_PASSWORD") or None,
        )


def _reason(code: int, message: str) -> str:
    return f"{code} {' '.join(message.split())}"


class SmtpTransport:
    name = "smtp"

    def __init__(self, settings: SmtpSettings, server: SmtpServer) -> None:
        self.settings = settings
        self.server = server

    @classmethod
    def from_env(cls, settings: SmtpSettings, env: Mapping[str, str]) -> SmtpTransport:
        return cls(settings, SmtpServer.from_env(env, settings))

    async def send(self, message: EmailMessage) -> EmailReceipt:
        sent_at = dt.datetime.now(dt.UTC)
        mime = to_mime(message, date=sent_at)
        try:
            refused, _ = await aiosmtplib.send(
                mime,
                sender=message.sender,
                recipients=message.to,
                hostname=self.server.host,
                port=self.server.port,
                username=self.server.username,
                password=self.server.password,
                use_tls=self.settings.use_tls,
                start_tls=self.settings.starttls and not self.settings.use_tls,
                timeout=self.settings.timeout.total_seconds(),
            )
        except SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            reasons = "; ".join(
                f"{r.recipient}: {_reason(r.code, r.message)}" for r in exc.recipients
            )
            raise EmailError(
                f"SMTP refused every recipient: {reasons}", retryable=all(c < 500 for c in codes)
            ) from None
        except SMTPResponseException as exc:
            raise EmailError(
                f"SMTP refused the message: {_reason(exc.code, exc.message)}",
                retryable=exc.code < 500,
            ) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            # Connection refused, dropped, timed out, TLS trouble: the server may recover.
            raise EmailError(f"SMTP unavailable: {type(exc).__name__}", retryable=True) from None
        partial = {rcpt: resp for rcpt, resp in refused.items() if resp.code >= 400}
        if partial:
            # Retrying would deliver twice to the accepted recipients; record and move on.
            _log.warning(
                "smtp_recipients_refused",
                workflow_id=message.workflow_id,
                refused={k: _reason(v.code, v.message) for k, v in partial.items()},
            )
        return EmailReceipt(
            transport=self.name,
            message_id=message.message_id,
            sent_at=sent_at,
            location=f"smtp://{self.server.host}:{self.server.port}",
        )
