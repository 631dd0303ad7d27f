"""Embedded notifier and outbox, and choosing effects from settings."""

from __future__ import annotations

import email
import email.policy
import io
import json
from pathlib import Path

import pytest

from schemas.common.effects import EmailMessage, Notification
from vouchflow.destinations.local_ledger import LocalLedger
from vouchflow.destinations.xero import XeroDestination
from vouchflow.effects.factory import (
    ConfigError,
    build_destination,
    build_email_transport,
    build_notifier,
    check_effects_config,
)
from vouchflow.mailer.outbox import OutboxTransport
from vouchflow.mailer.smtp import SmtpTransport
from vouchflow.notifiers.console import ConsoleNotifier
from vouchflow.notifiers.slack import SlackNotifier
from vouchflow.settings.config import load_settings


def notification(key: str = "wf-1:approval") -> Notification:
    return Notification(
        workflow_id="wf-1",
        kind="approval_request",
        idempotency_key=key,
        title="Approve bill INV-1",
        lines=["Total above the auto-draft limit"],
        facts={"Total": "GBP 69.00"},
        with_buttons=True,
    )


async def test_console_prints_and_logs_once(tmp_path: Path) -> None:
    log = tmp_path / "notifications.jsonl"
    out = io.StringIO()
    receipt = await ConsoleNotifier(log, stream=out).notify(notification())
    # A second notifier (another process) sees the key in the shared log.
    await ConsoleNotifier(log, stream=out).notify(notification())
    assert receipt.ref == "console:wf-1:approval"
    assert out.getvalue().count("Approve bill INV-1") == 1
    assert "Total: GBP 69.00" in out.getvalue() and "approve|reject wf-1" in out.getvalue()
    (line,) = log.read_text().splitlines()
    assert json.loads(line)["idempotency_key"] == "wf-1:approval"
    await ConsoleNotifier(log, stream=out).notify(notification("wf-1:reminder"))
    assert len(log.read_text().splitlines()) == 2


async def test_console_without_log_is_idempotent_in_process() -> None:
    out = io.StringIO()
    notifier = ConsoleNotifier(None, stream=out)
    await notifier.notify(notification())
    await notifier.notify(notification())
    assert out.getvalue().count("Approve bill INV-1") == 1


def mail() -> EmailMessage:
    return EmailMessage(
        workflow_id="wf-1",
        message_id="wf-1.summary@vouchflow",
        to=["ap@example.com"],
        sender="vouchflow@example.com",
        subject="Draft bill INV-1",
        body="Total: GBP 69.00\n",
    )


async def test_outbox_writes_one_rfc5322_file(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    first = await outbox.send(mail())
    second = await outbox.send(mail())
    files = list((tmp_path / "outbox").iterdir())
    assert len(files) == 1 and first.location == second.location == str(files[0])
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == "<wf-1.summary@vouchflow>"
    assert parsed["To"] == "ap@example.com" and parsed["Subject"] == "Draft bill INV-1"
    assert "GBP 69.00" in parsed.get_body().get_content()  # type: ignore[union-attr]


def test_factory_builds_embedded_defaults(tmp_path: Path) -> None:
    settings = load_settings(env={"VOUCHFLOW_HOME": str(tmp_path)})
    check_effects_config(settings, env={})
    assert isinstance(build_destination(settings), LocalLedger)
    assert isinstance(build_notifier(settings), ConsoleNotifier)
    assert isinstance(build_email_transport(settings), OutboxTransport)


def test_factory_requires_env_for_real_services(tmp_path: Path) -> None:
    env = {
        "VOUCHFLOW_HOME": str(tmp_path),
        "VOUCHFLOW_DESTINATION": "xero",
        "VOUCHFLOW_NOTIFIER": "slack",
        "VOUCHFLOW_EMAIL": "smtp",
    }
    settings = load_settings(env=env)
    with pytest.raises(ConfigError) as err:
        check_effects_config(settings, env=env)
    text = str(err.value)
    for name in ("XERO_CLIENT_ID", "XERO_TENANT_ID", "SLACK_BOT_TOKEN", "SMTP_HOST"):
        assert name in text
    secrets = {
        "XERO_CLIENT_ID": "id",
        "XERO_CLIENT_SECRET": "secret",
        "XERO_TENANT_ID": "tenant",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SMTP_HOST": "127.0.0.1",
    }
    check_effects_config(settings, env=env | secrets)
    assert isinstance(build_destination(settings, env=env | secrets), XeroDestination)
    assert isinstance(build_notifier(settings, env=env | secrets), SlackNotifier)
    assert isinstance(build_email_transport(settings, env=env | secrets), SmtpTransport)


def test_factory_rejects_unknown_choice(tmp_path: Path) -> None:
    settings = load_settings(env={"VOUCHFLOW_HOME": str(tmp_path), "VOUCHFLOW_NOTIFIER": "pager"})
    with pytest.raises(ConfigError, match="pager"):
        check_effects_config(settings, env={})
