"""SMTP transport through aiosmtplib against a local aiosmtpd server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schemas.common.effects import EmailMessage
from vouchflow.mailer.base import EmailError
from vouchflow.mailer.smtp import SmtpSettings, SmtpTransport
from vouchflow.testing.fakes.smtp_server import FakeSmtp, free_port

# The local test server allows AUTH without TLS, which aiosmtpd rightly warns about.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    server = FakeSmtp().start()
    yield server
    server.stop()


def message(**changes: str) -> EmailMessage:
    data = {
        "workflow_id": "invoice-abc",
        "message_id": "invoice-abc.summary@vouchflow",
        "to": ["ap@example.com", "lead@example.com"],
        "sender": "vouchflow@example.com",
        "subject": "Draft bill INV-1001 from Acme Office Supplies Ltd",
        "body": "A draft bill was created in Xero.\nTotal: GBP 69.00\n",
    }
    return EmailMessage.model_validate(data | changes)


def transport(server: FakeSmtp, **env: str) -> SmtpTransport:
    settings = SmtpSettings(starttls=False)
    return SmtpTransport.from_env(settings, server.env() | env)


async def test_sends_with_deterministic_message_id(smtp: FakeSmtp) -> None:
    receipt = await transport(smtp).send(message())
    (mail,) = smtp.received
    assert mail.sender == "vouchflow@example.com"
    assert mail.recipients == ["ap@example.com", "lead@example.com"]
    parsed = mail.message
    assert parsed["Message-ID"] == "<invoice-abc.summary@vouchflow>"
    assert parsed["Subject"] == "Draft bill INV-1001 from Acme Office Supplies Ltd"
    assert "Total: GBP 69.00" in parsed.get_content()
    assert receipt.transport == "smtp" and receipt.message_id == "invoice-abc.summary@vouchflow"


async def test_permanent_refusal_is_not_retryable_and_keeps_reason(smtp: FakeSmtp) -> None:
    smtp.mode = "reject"
    with pytest.raises(EmailError, match="User unknown") as err:
        await transport(smtp).send(message())
    assert not err.value.retryable and "550" in str(err.value)
    assert smtp.received == []


async def test_rejected_data_is_not_retryable(smtp: FakeSmtp) -> None:
    smtp.mode = "reject_data"
    with pytest.raises(EmailError, match=r"554 5\.7\.1 Message rejected as spam") as err:
        await transport(smtp).send(message())
    assert not err.value.retryable


async def test_temporary_failure_is_retryable(smtp: FakeSmtp) -> None:
    smtp.mode = "tempfail"
    with pytest.raises(EmailError, match="451") as err:
        await transport(smtp).send(message())
    assert err.value.retryable


async def test_connection_refused_is_retryable() -> None:
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port())}
    sender = SmtpTransport.from_env(SmtpSettings(starttls=False, timeout="2s"), env)
    with pytest.raises(EmailError, match="unavailable") as err:
        await sender.send(message())
    assert err.value.retryable


async def test_starttls_required_but_not_offered_fails_retryably(smtp: FakeSmtp) -> None:
    sender = SmtpTransport.from_env(SmtpSettings(starttls=True), smtp.env())
    with pytest.raises(EmailError) as err:
        await sender.send(message())
    assert err.value.retryable and smtp.received == []


async def test_authenticates_with_env_credentials() -> None:
    server = FakeSmtp(credentials=("vouchflow", "s3cret")).start()
    try:
        await transport(server).send(message())
        assert len(server.received) == 1
        with pytest.raises(EmailError, match="535") as err:
            await transport(server, SMTP_PASSWORD="wrong").send(message())
        assert not err.value.retryable and len(server.received) == 1
    finally:
        server.stop()
