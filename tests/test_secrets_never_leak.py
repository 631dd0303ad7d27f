"""Secrets never leave the process that needs them.

End-to-end flows (gateway -> workflow -> Xero, Slack, SMTP fakes) run with
distinctive secret values, once with good credentials and once with wrong ones
(failures are where error messages tend to quote what they were given). Then every
workflow history, every audit record, every file under the vouchflow home, the
captured logs (debug level included), what the fakes received and what the
gateway answered are searched for those values.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from schemas.invoice.workflow import InvoiceState
from tests.harness import Harness
from tests.invoice_texts import Line, TextInvoice
from tests.test_effects_end_to_end import SAMPLE_PDF, SUPPLIER, Stack, effects_stack
from vouchflow.testing.fakes.fake_slack import FakeSlack
from vouchflow.testing.fakes.fake_xero import FakeXero
from vouchflow.testing.fakes.smtp_server import FakeSmtp

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

XERO_SECRET = "xero-secret-Q9Z7vT2c"
SLACK_TOKEN = "xoxb-slack-token-K4P2wN8d"
SIGNING_SECRET = "slack-signing-H6T1aB3e"
SMTP_PASSWORD = "smtp-password-M3V8yU5f"
INTAKE_TOKEN = "intake-token-R5W0zX7g"
# What a misconfigured deployment sends instead; must not leak either.
WRONG_XERO_SECRET = "wrong-xero-secret-J2L9"
WRONG_SLACK_TOKEN = "xoxb-wrong-token-P7C4"
WRONG_SMTP_PASSWORD = "wrong-smtp-password-D8S1"
SECRETS = (
    XERO_SECRET,
    SLACK_TOKEN,
    SIGNING_SECRET,
    SMTP_PASSWORD,
    INTAKE_TOKEN,
    WRONG_XERO_SECRET,
    WRONG_SLACK_TOKEN,
    WRONG_SMTP_PASSWORD,
)


def fakes() -> tuple[FakeXero, FakeSlack, FakeSmtp]:
    return (
        FakeXero(client_secret=XERO_SECRET),
        FakeSlack(bot_token=SLACK_TOKEN),
        FakeSmtp(credentials=("vouchflow", SMTP_PASSWORD)),
    )


def stack_for(
    client: Client, home: Path, monkeypatch: pytest.MonkeyPatch, **wrong: str
) -> AbstractAsyncContextManager[Stack]:
    # The fakes' own env() (set once they run) carries the good secrets; `wrong` overrides.
    xero, slack, smtp = fakes()
    return effects_stack(
        client,
        home,
        monkeypatch,
        xero=xero,
        slack=slack,
        smtp=smtp,
        env=wrong,
        signing_secret=SIGNING_SECRET,
        intake_token=INTAKE_TOKEN,
    )


class Leaks:
    """Collects every text the system produced, labelled, and names any secret in it."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        self.texts.append((where, text))

    def found(self) -> list[str]:
        return [
            f"{secret!r} in {where}"
            for where, text in self.texts
            for secret in SECRETS
            if secret in text
        ]


def collect_files(leaks: Leaks, home: Path) -> None:
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files, "no files to scan"
    for path in files:
        leaks.add(f"file {path.relative_to(home)}", path.read_bytes())


async def collect(leaks: Leaks, stack: Stack, home: Path) -> None:
    h = stack.harness
    for workflow_id in sorted(set(h.submitted)):
        history = await h.handle(workflow_id).fetch_history()
        leaks.add(f"history {workflow_id}", history.to_json())
        status = await stack.gateway.get(
            f"/invoices/{workflow_id}", headers={"Authorization": f"Bearer {INTAKE_TOKEN}"}
        )
        leaks.add(f"gateway status {workflow_id}", status.text)
    records = h.deps.audit.all_records()
    assert records, "no audit records to scan"
    for record in records:
        leaks.add(f"audit #{record.seq}", record.model_dump_json())
    collect_files(leaks, home)
    for message in stack.slack.messages:
        leaks.add("slack message", repr(message))
    leaks.add("slack calls", repr(stack.slack.calls))
    for mail in stack.smtp.received:
        leaks.add("smtp mail", mail.data)
    for request in stack.xero.requests:
        leaks.add(f"xero {request.method} {request.path}", repr(request))


async def wait_ended(h: Harness, workflow_id: str) -> None:
    """Until the workflow rests or has stopped running (whichever way it ends)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        desc = await h.handle(workflow_id).describe()
        if desc.status is not None and desc.status.name != "RUNNING":
            return
        try:
            state = await h.state(workflow_id)
        except Exception:
            state = None
        if state is not None and state.status in ("needs_attention", "rejected_input"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{workflow_id} never ended")


async def test_no_secret_appears_in_history_audit_files_logs_or_messages(
    dev_server: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    leaks = Leaks()
    probe = Leaks()
    probe.add("probe", f"Authorization: Bearer {INTAKE_TOKEN}".encode())
    assert probe.found() == [f"{INTAKE_TOKEN!r} in probe"]  # the scanner itself works

    # 1. Good credentials: upload, approve in Slack, draft in Xero, email, revert.
    home = tmp_path / "good"
    async with stack_for(dev_server.client, home, monkeypatch) as stack:
        h = stack.harness
        workflow_id = await stack.upload(SAMPLE_PDF.read_bytes(), "02_above_limit.pdf")
        await stack.awaiting_approval(workflow_id)
        assert (await stack.click(workflow_id)).status_code == 200
        await h.wait_for(workflow_id, lambda s: s.email_state == "sent", what="email sent")
        await h.signal_decision(workflow_id, "revert", "alice")
        state = await h.wait_status(workflow_id, "reverted")
        assert state.draft_bill is not None and len(stack.smtp.received) == 1
        await collect(leaks, stack, home)

    # 2. Wrong Slack token and SMTP password: notifications and the email fail.
    home = tmp_path / "wrong-slack-smtp"
    async with stack_for(
        dev_server.client,
        home,
        monkeypatch,
        SLACK_BOT_TOKEN=WRONG_SLACK_TOKEN,
        SMTP_PASSWORD=WRONG_SMTP_PASSWORD,
    ) as stack:
        h = stack.harness
        invoice = TextInvoice(
            supplier=SUPPLIER, number="NW-77001", lines=[Line("Whiteboards", 40, 15900)]
        )
        workflow_id = await stack.upload(invoice.bytes(), "nw-77001.txt")
        await h.wait_status(workflow_id, "awaiting_approval")
        await h.signal_decision(workflow_id, "approve", "alice")

        def email_failed(s: InvoiceState) -> bool:
            return any(e.effect == "send_email" and e.status == "failed" for e in s.effects)

        state = await h.wait_for(workflow_id, email_failed, what="email failed")
        failures = [e.detail for e in state.effects if e.status == "failed"]
        assert any("invalid_auth" in d for d in failures), failures
        assert any("535" in d for d in failures), failures
        assert stack.slack.messages == [] and stack.smtp.received == []
        await collect(leaks, stack, home)

    # 3. Wrong Xero secret: the token request is refused.
    home = tmp_path / "wrong-xero"
    async with stack_for(
        dev_server.client, home, monkeypatch, XERO_CLIENT_SECRET=WRONG_XERO_SECRET
    ) as stack:
        h = stack.harness
        invoice = TextInvoice(
            supplier=SUPPLIER, number="NW-77002", lines=[Line("Whiteboards", 40, 15900)]
        )
        workflow_id = await stack.upload(invoice.bytes(), "nw-77002.txt")
        await wait_ended(h, workflow_id)
        assert stack.xero.token_requests >= 1 and stack.xero.invoices == {}
        # Fail closed with the reason: a person is asked, the workflow does not crash.
        ended = await h.state(workflow_id)
        assert ended.status == "needs_attention"
        assert "Xero rejected the client credentials" in ended.status_reason
        await collect(leaks, stack, home)
        # The refusal itself is recorded (that is the text that must not quote the secret).
        assert any(
            "Xero rejected the client credentials" in text
            for where, text in leaks.texts
            if where == f"history {workflow_id}"
        )

    captured = capfd.readouterr()
    leaks.add("captured stdout", captured.out)
    leaks.add("captured stderr", captured.err)
    leaks.add("captured log records", caplog.text)
    assert len(caplog.records) > 0
    assert leaks.found() == []
