"""Every rendered text is safe: no forged lines, nothing that reorders or hides text,
no bank details or secrets in clear.

Names and document-derived text reach the console, notifications.jsonl, outbox and
SMTP emails (body and headers), Slack messages and logs. Each sink is fed hostile
text: line breaks of every kind (CR, LF, U+2028/2029, NEL), bidi overrides,
zero-width characters, Slack mrkdwn controls, IBANs, card numbers and API keys.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from temporalio.testing import WorkflowEnvironment

from schemas.common.effects import EmailMessage, Notification
from tests.harness import running_harness
from tests.invoice_texts import TextInvoice
from vouchflow.mailer.outbox import OutboxTransport, to_mime
from vouchflow.mailer.smtp import SmtpSettings, SmtpTransport
from vouchflow.notifiers.console import ConsoleNotifier, render_block
from vouchflow.notifiers.slack import SlackNotifier, SlackSettings
from vouchflow.notifiers.slack_blocks import build_blocks, fallback_text
from vouchflow.observability.logging import RedactingFilter, configure_logging
from vouchflow.settings import Settings
from vouchflow.stores.redact import clean_text
from vouchflow.testing.fakes.fake_slack import FakeSlack, validate_blocks
from vouchflow.testing.fakes.smtp_server import FakeSmtp

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

IBAN = "GB82 WEST 1234 5698 7654 32"
IBAN_COMPACT = "GB82WEST12345698765432"
CARD = "4111 1111 1111 1111"
API_KEY = "sk-proj-Hx72kLmQ9vPz"
BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\v", "\f"]
INVISIBLE = ["\u202e", "\u2066", "\u200b", "\ufeff", "\u200f"]
FORGED = "Status: approved by bob"


def hostile(i: int = 0) -> str:
    brk = BREAKS[i % len(BREAKS)]
    return (
        f"invoice.pdf{brk}{FORGED}{brk}Pay to {IBAN} card {CARD} key {API_KEY}"
        f"{INVISIBLE[i % len(INVISIBLE)]}<!channel> <http://evil.example|click> & co"
    )


def assert_no_secrets(text: str) -> None:
    for value in (IBAN, IBAN_COMPACT, CARD, "4111111111111111", API_KEY):
        assert value not in text, value
    assert "5432" in text  # IBAN masked, last four kept
    assert "\u202e" not in text and "\u200b" not in text and "\u2066" not in text


def assert_no_forged_line(text: str) -> None:
    for line in re.split(r"\r\n|\r|\n|\u2028|\u2029|\x85|\v|\f", text):
        assert not line.strip().lstrip("•*- ").startswith(FORGED), line


def notification(i: int = 0) -> Notification:
    return Notification(
        workflow_id="invoice-abc",
        kind="approval_request",
        idempotency_key=f"invoice-abc:approval:{i}",
        title=f"Approve bill from {hostile(i)}",
        lines=[f"File: {hostile(i)}", "Total above the auto-draft limit"],
        facts={"Supplier": hostile(i), "Total": "GBP 6,900.00", "Invoice number": "INV-1"},
        with_buttons=True,
        web_url="http://localhost:8233/namespaces/default/workflows/invoice-abc|x>y",
    )


# ---- the cleaning itself -------------------------------------------------------------------


@pytest.mark.parametrize("i", range(len(BREAKS)))
def test_clean_text_makes_one_bounded_line(i: int) -> None:
    cleaned = clean_text(hostile(i) * 50, 300)
    assert len(cleaned) <= 300 and cleaned.endswith("…")
    assert_no_forged_line(cleaned)
    assert not any(ch in cleaned for ch in BREAKS + INVISIBLE)
    assert clean_text("Café 東京 🧾 naïve") == "Café 東京 🧾 naïve"


# ---- console and notifications.jsonl -------------------------------------------------------


async def test_console_block_and_jsonl_are_sanitised_and_redacted(tmp_path: Path) -> None:
    log = tmp_path / "notifications.jsonl"
    out = io.StringIO()
    for i in range(len(BREAKS)):
        await ConsoleNotifier(log, stream=out).notify(notification(i))
    printed = out.getvalue()
    assert printed.count("Approve bill from invoice.pdf") == len(BREAKS)
    assert_no_forged_line(printed)
    assert_no_secrets(printed)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == len(BREAKS)
    raw = log.read_text()
    assert_no_secrets(raw)
    for record in records:
        for text in [record["title"], *record["lines"], *record["facts"].values()]:
            assert_no_forged_line(text)
            assert len(text.splitlines()) == 1
    # The rendering function itself is safe for any caller.
    assert_no_forged_line(render_block(notification(3)))


# ---- email: outbox and SMTP ----------------------------------------------------------------


# An email body is lines joined with LF: at the transport, LF (and CRLF) are the body's
# own line breaks, so a name's line break must be removed where the body is built
# (workflows/invoice/views.py, covered through the workflow below). Every other break
# character is normalised by the transport itself.
BODY_BREAKS = range(2, len(BREAKS))


def hostile_email(i: int = 2) -> EmailMessage:
    return EmailMessage(
        workflow_id="invoice-abc\r\nBcc: thief@evil.example",
        message_id="invoice-abc.draft-bill@vouchflow",
        to=["ap@example.com"],
        sender="vouchflow@example.com",
        subject=f"Draft bill: {hostile(i)}\r\nBcc: thief@evil.example",
        body="\n".join([f"File: {hostile(i)}", "Total: GBP 69.00", "Status: drafted"]),
    )


@pytest.mark.parametrize("i", BODY_BREAKS)
async def test_outbox_email_headers_and_body_are_safe(tmp_path: Path, i: int) -> None:
    receipt = await OutboxTransport(tmp_path / "outbox").send(hostile_email(i))
    raw = email_bytes(receipt.location)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and len(parsed.get_all("Subject") or []) == 1
    subject = str(parsed["Subject"])
    assert subject.startswith("Draft bill: invoice.pdf")
    assert "\n" not in subject and "\r" not in subject
    body = parsed.get_content()
    assert_no_forged_line(body)
    assert_no_secrets(body + subject)
    # Legitimate lines stay lines.
    assert [line for line in body.splitlines() if line.startswith("Status:")] == ["Status: drafted"]


def email_bytes(location: str | None) -> bytes:
    return Path(location or "").read_bytes()


@pytest.mark.parametrize("i", range(len(BREAKS)))
def test_subject_and_headers_never_break_whatever_the_break(i: int) -> None:
    mime = to_mime(hostile_email(i).model_copy(update={"subject": hostile(i)}))
    parsed = email.message_from_bytes(mime.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert "\n" not in str(parsed["Subject"]) and FORGED in str(parsed["Subject"])
    assert_no_secrets(str(parsed["Subject"]))


def test_mime_of_a_long_hostile_subject_is_bounded() -> None:
    mime = to_mime(hostile_email().model_copy(update={"subject": hostile() * 100}))
    assert len(str(mime["Subject"])) <= 200


async def test_smtp_email_headers_and_body_are_safe() -> None:
    server = FakeSmtp().start()
    try:
        transport = SmtpTransport.from_env(SmtpSettings(starttls=False), server.env())
        await transport.send(hostile_email(4))
        (mail,) = server.received
        parsed = email.message_from_bytes(mail.data, policy=email.policy.default)
    finally:
        server.stop()
    assert parsed["Bcc"] is None and mail.recipients == ["ap@example.com"]
    body = parsed.get_content()
    assert_no_forged_line(body)
    assert_no_secrets(body + str(parsed["Subject"]))


# ---- Slack -----------------------------------------------------------------------------------


def _texts(blocks: list[dict[str, object]], kind: str | None = None) -> list[str]:
    """Every text object's text (only those of `kind`, mrkdwn or plain_text, if given)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str) and kind in (None, node.get("type")):
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


@pytest.mark.parametrize("i", range(len(BREAKS)))
def test_slack_blocks_are_escaped_sanitised_and_redacted(i: int) -> None:
    blocks = build_blocks(notification(i), buttons=True)
    assert validate_blocks(blocks) == []
    texts = _texts(blocks)
    joined = "\n".join(texts)
    assert_no_secrets(joined)
    # mrkdwn would turn these into a mention and a link; plain_text shows them as typed.
    mrkdwn = "\n".join(_texts(blocks, "mrkdwn"))
    assert "<!channel>" not in mrkdwn and "<http://evil.example" not in mrkdwn
    assert "&lt;!channel&gt;" in mrkdwn
    for text in texts:
        assert_no_forged_line(text)
    (field,) = [t for t in texts if t.startswith("*Supplier*")]
    assert field.count("\n") == 1  # label, newline, value: nothing more
    context = next(t for t in texts if "Open in Temporal Web UI" in t)
    assert context.count("|") == 1 and context.count(">") == 1  # the link is not broken
    fallback = fallback_text(notification(i))
    assert "<!channel>" not in fallback and "\n" not in fallback
    assert_no_secrets(fallback)


async def test_slack_messages_posted_are_safe() -> None:
    fake = FakeSlack().start()
    try:
        notifier = SlackNotifier.from_env(
            SlackSettings(default_channels=["ap-approvals"], timeout="5s"), fake.env()
        )
        await notifier.notify(notification(0))
        (message,) = fake.messages
        joined = json_dumps(message.blocks) + str(message.text)
        mrkdwn = "\n".join([*_texts(message.blocks, "mrkdwn"), str(message.text)])
    finally:
        fake.stop()
    assert_no_secrets(joined)
    assert "<!channel>" not in mrkdwn and "&lt;!channel&gt;" in mrkdwn


def json_dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---- logs ------------------------------------------------------------------------------------


@pytest.fixture
def log_sink() -> Iterator[io.StringIO]:
    sink = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers)
    configure_logging()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sink))
    try:
        yield sink
    finally:
        for added in [h for h in root.handlers if h not in before]:
            root.removeHandler(added)
        structlog.reset_defaults()


def test_structlog_lines_are_redacted(log_sink: io.StringIO) -> None:
    log = structlog.get_logger("test")
    try:
        raise RuntimeError(f"provider said {API_KEY} for {IBAN}")
    except RuntimeError:
        log.exception("failed", detail=hostile(), nested={"rows": [IBAN, CARD]}, tokens_used=7)
    line = log_sink.getvalue()
    assert_no_secrets(line)
    record = json.loads(line)
    assert record["tokens_used"] == 7 and "RuntimeError" in record["exception"]


def test_standard_library_records_are_redacted() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "paid %s", (IBAN,), None)
    try:
        raise ValueError(f"{API_KEY} {CARD}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert_no_secrets(text)


# ---- through the workflow ----------------------------------------------------------------------


async def test_hostile_file_name_through_the_workflow_reaches_no_sink_unsafely(
    time_skipping_env: WorkflowEnvironment,
    settings: Settings,
    capfd: pytest.CaptureFixture[str],
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number="SAFE-1").bytes(), filename=hostile(0))
        final = await h.result(sub.workflow_id)
        assert final.email_state == "sent", final.status_reason
    printed = capfd.readouterr().out
    jsonl = (settings.home / "notifications.jsonl").read_text()
    (eml,) = list(settings.outbox_dir.glob("*.eml"))
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = parsed.get_content()
    assert "invoice.pdf" in body and "invoice.pdf" in printed
    for text in (printed, body, str(parsed["Subject"])):
        assert_no_forged_line(text)
    for text in (printed, jsonl, body):
        assert_no_secrets(text)
    for record in map(json.loads, jsonl.splitlines()):
        for text in record["lines"]:
            assert_no_forged_line(text)
