"""Slack notifier through slack_sdk's AsyncWebClient against the local fake."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import pytest

from schemas.common.effects import Notification
from vouchflow.notifiers.base import NotifierError
from vouchflow.notifiers.slack import SlackNotifier, SlackSettings
from vouchflow.notifiers.slack_signature import slack_signature, verify_slack_signature
from vouchflow.testing.fakes.fake_slack import FakeSlack, validate_blocks


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
async def notifier(fake: FakeSlack) -> AsyncIterator[SlackNotifier]:
    yield make_notifier(fake)


def make_notifier(fake: FakeSlack, **env: str) -> SlackNotifier:
    settings = SlackSettings(default_channels=["ap-approvals"], timeout="5s")
    return SlackNotifier.from_env(settings, fake.env() | env, review_channels=["ap-approvals"])


def approval(**changes: object) -> Notification:
    data: dict[str, object] = {
        "workflow_id": "invoice-abc",
        "kind": "approval_request",
        "idempotency_key": "invoice-abc:approval",
        "title": "Approve bill INV-1001 from Acme <Office> & Co",
        "lines": ["Total above the auto-draft limit", "Supplier is new"],
        "facts": {
            "Supplier": "Acme <Office> & Co",
            "Invoice": "INV-1001",
            "Total": "GBP 6,900.00",
            "Due": "2024-03-31",
            "Confidence": "72/100 (arithmetic ok, unknown supplier)",
        },
        "web_url": "http://localhost:8233/namespaces/default/workflows/invoice-abc",
        "with_buttons": True,
    }
    return Notification.model_validate(data | changes)


async def test_approval_request_posts_block_kit_with_buttons(
    fake: FakeSlack, notifier: SlackNotifier
) -> None:
    receipt = await notifier.notify(approval())
    (message,) = fake.messages
    assert receipt.ref == f"C0APPROVAL:{message.ts}"
    assert validate_blocks(message.blocks) == []
    (actions,) = [b for b in message.blocks if b["type"] == "actions"]
    buttons = {e["action_id"]: e for e in actions["elements"]}
    assert set(buttons) == {"approve", "reject"}
    assert {b["value"] for b in buttons.values()} == {"invoice-abc"}
    fields = next(b["fields"] for b in message.blocks if b.get("fields"))
    assert any("GBP 6,900.00" in f["text"] for f in fields)
    assert any("Acme &lt;Office&gt; &amp; Co" in f["text"] for f in fields)
    context = next(b for b in message.blocks if b["type"] == "context")
    assert (
        "<http://localhost:8233/namespaces/default/workflows/invoice-abc|"
        in (context["elements"][0]["text"])
    )
    assert "Total above the auto-draft limit" in message.blocks[2]["text"]["text"]


async def test_same_key_posts_once(fake: FakeSlack, notifier: SlackNotifier) -> None:
    first = await notifier.notify(approval())
    second = await notifier.notify(approval())
    assert first.ref == second.ref and len(fake.messages) == 1


async def test_decision_updates_the_same_message_without_buttons(
    fake: FakeSlack, notifier: SlackNotifier
) -> None:
    receipt = await notifier.notify(approval())
    decided = approval(
        kind="decision",
        idempotency_key="invoice-abc:decision",
        title="Approved: bill INV-1001",
        lines=["Approved by Alice Finance (alice)"],
        with_buttons=False,
        update_ref=receipt.ref,
    )
    update = await notifier.notify(decided)
    assert update.ref == receipt.ref
    (message,) = fake.messages
    assert len(message.edits) == 1
    assert all(b["type"] != "actions" for b in message.blocks)
    assert any("Approved by Alice Finance" in str(b) for b in message.blocks)
    assert fake.calls[-1][0] == "chat.update"


async def test_escalation_goes_to_its_channels(fake: FakeSlack, notifier: SlackNotifier) -> None:
    escalation = approval(
        kind="escalation",
        idempotency_key="invoice-abc:escalation",
        with_buttons=False,
        channels=["finance-leads", "#ap-approvals"],
    )
    receipt = await notifier.notify(escalation)
    assert {m.channel for m in fake.messages} == {"C0LEADS", "C0APPROVAL"}
    assert receipt.ref is not None and len(receipt.ref.split(",")) == 2
    closed = approval(kind="decision", idempotency_key="k2", update_ref=receipt.ref)
    await notifier.notify(closed)
    assert all(len(m.edits) == 1 for m in fake.messages)


@pytest.mark.parametrize(
    ("env", "channels", "error"),
    [
        ({}, ["no-such-channel"], "channel_not_found"),
        ({"SLACK_BOT_TOKEN": "xoxb-wrong"}, [], "invalid_auth"),
    ],
)
async def test_permanent_errors_are_not_retryable(
    fake: FakeSlack, env: dict[str, str], channels: list[str], error: str
) -> None:
    with pytest.raises(NotifierError, match=error) as err:
        await make_notifier(fake, **env).notify(approval(channels=channels))
    assert not err.value.retryable and fake.messages == []


async def test_inactive_account_is_not_retryable(fake: FakeSlack) -> None:
    fake.inactive_tokens.add("xoxb-old")
    with pytest.raises(NotifierError, match="account_inactive") as err:
        await make_notifier(fake, SLACK_BOT_TOKEN="xoxb-old").notify(approval())
    assert not err.value.retryable


async def test_updating_an_unknown_message_is_not_retryable(notifier: SlackNotifier) -> None:
    with pytest.raises(NotifierError, match="message_not_found") as err:
        await notifier.notify(approval(update_ref="C0APPROVAL:1700000000.000001"))
    assert not err.value.retryable


async def test_rate_limit_is_retryable_with_retry_after(
    fake: FakeSlack, notifier: SlackNotifier
) -> None:
    fake.inject(429, retry_after=12)
    with pytest.raises(NotifierError, match="ratelimited") as err:
        await notifier.notify(approval())
    assert err.value.retryable and err.value.retry_after_s == 12
    assert len(fake.calls) == 1  # the SDK's own retry handlers are off
    await notifier.notify(approval())
    assert len(fake.messages) == 1


async def test_server_error_is_retryable(fake: FakeSlack, notifier: SlackNotifier) -> None:
    fake.inject(503)
    with pytest.raises(NotifierError, match="503") as err:
        await notifier.notify(approval())
    assert err.value.retryable


async def test_long_text_is_clipped_to_block_kit_limits(
    fake: FakeSlack, notifier: SlackNotifier
) -> None:
    long = approval(title="T" * 400, lines=["x" * 5000], facts={"Reason": "y" * 3000})
    await notifier.notify(long)
    assert validate_blocks(fake.messages[0].blocks) == []


def test_fake_rejects_oversized_blocks() -> None:
    bad = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    assert validate_blocks(bad)
    twice = [
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "A"}},
                {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "B"}},
            ],
        }
    ]
    assert any("duplicate action_id" in p for p in validate_blocks(twice))


def test_signature_verification() -> None:
    secret, body, now = (
        "8f742231b10e8888abcd99yyyzzz85a5",
        b"payload=%7B%22type%22%3A1%7D",
        1_700_000_000.0,
    )
    stamp = str(int(now))
    good = slack_signature(secret, stamp, body)
    assert good.startswith("v0=") and len(good) == 67
    assert verify_slack_signature(secret, stamp, body, good, now=now + 299)
    assert not verify_slack_signature(secret, stamp, body, good, now=now + 301)
    assert not verify_slack_signature(secret, stamp, body + b"x", good, now=now)
    assert not verify_slack_signature("other", stamp, body, good, now=now)
    assert not verify_slack_signature(secret, "not-a-number", body, good, now=now)
    assert not verify_slack_signature(secret, stamp, body, "", now=now)


def test_signature_matches_slack_documented_example() -> None:
    # The worked example from Slack's "Verifying requests from Slack" guide.
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    stamp = "1531420618"
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert verify_slack_signature(secret, stamp, body, expected, now=float(stamp) + 10)
    assert time.time() > float(stamp)  # the example is old: it fails against the real clock
    assert not verify_slack_signature(secret, stamp, body, expected, now=time.time())
