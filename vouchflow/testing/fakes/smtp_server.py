"""A local SMTP server (aiosmtpd) on a free port that records what it receives.

`mode` switches its answers: "accept", "reject" (550 at RCPT), "reject_data"
(554 after DATA) or "tempfail" (451 at RCPT).
"""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
from dataclasses import dataclass, field
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

Mode = Literal["accept", "reject", "reject_data", "tempfail"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


@dataclass
class _Handler:
    server: FakeSmtp

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.server.mode == "reject":
            return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
        if self.server.mode == "tempfail":
            return "451 4.3.0 Mail server temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.server.mode == "reject_data":
            return "554 5.7.1 Message rejected as spam"
        content = envelope.original_content or b""
        self.server.received.append(
            ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), content)
        )
        return "250 Message accepted for delivery"


@dataclass
class FakeSmtp:
    mode: Mode = "accept"
    # When set, clients must AUTH with these (plain-text auth allowed: local tests only).
    credentials: tuple[str, str] | None = None
    received: list[ReceivedMail] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._controller: Controller | None = None

    def _authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        # handled=False: let aiosmtpd answer 235 or 535 itself.
        return AuthResult(success=ok, handled=False)

    def start(self) -> FakeSmtp:
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if self.credentials is not None:
            kwargs = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
                "auth_exclude_mechanism": ["LOGIN"],
            }
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, **kwargs
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def env(self) -> dict[str, str]:
        env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port)}
        if self.credentials is not None:
            env |= {"SMTP_USERNAME": self.credentials[0], "SMTP_PASSWORD": self.credentials[1]}
        return env
