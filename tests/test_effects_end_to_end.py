"""Real side effects through the real workflow on the Temporal dev server.

Xero, Slack and SMTP are the local fakes (their real wire formats, driven by the
real clients); the worker runs in-process with effects chosen from settings
(destination=xero, notifier=slack, email=smtp); invoices arrive through the
gateway and decisions come back as Slack-signed button clicks.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from schemas.invoice.workflow import InvoiceState
from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from tests.test_gateway import block_actions_payload, signal_count, signed_click
from vouchflow.gateway.app import create_app
from vouchflow.settings import PACKAGE_DIR
from vouchflow.testing.fakes.fake_slack import FakeSlack, SlackMessage
from vouchflow.testing.fakes.fake_xero import FakeXero
from vouchflow.testing.fakes.smtp_server import FakeSmtp

# The local SMTP fake allows AUTH without TLS, which aiosmtpd rightly warns about.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

SAMPLE_PDF = PACKAGE_DIR / "samples" / "invoices" / "02_above_limit.pdf"
SUPPLIER = "Northwind Stationery Ltd"
SIGNING_SECRET = "e2e-signing-secret"
INTAKE_TOKEN = "e2e-intake-token"


@dataclass
class Stack:
    harness: Harness
    gateway: httpx.AsyncClient
    xero: FakeXero
    slack: FakeSlack
    smtp: FakeSmtp
    intake_token: str
    signing_secret: str
    clicks: int = 0

    async def click(
        self, workflow_id: str, action: str = "approve", user_id: str = "U0ALICE"
    ) -> httpx.Response:
        """A button click, signed exactly as Slack signs it. Each click is its own request
        (its own action_ts), as in Slack: only a replayed request is refused."""
        self.clicks += 1
        body, headers = signed_click(
            block_actions_payload(
                workflow_id, action, user_id=user_id, action_ts=f"1700000001.{self.clicks:06d}"
            ),
            secret=self.signing_secret,
        )
        return await self.gateway.post("/slack/interactions", content=body, headers=headers)

    async def upload(self, data: bytes, filename: str) -> str:
        response = await self.gateway.post(
            "/invoices",
            content=data,
            headers={"Authorization": f"Bearer {self.intake_token}", "X-Filename": filename},
        )
        assert response.status_code == 202, response.text
        workflow_id = str(response.json()["workflow_id"])
        self.harness.submitted.append(workflow_id)
        return workflow_id

    async def awaiting_approval(self, workflow_id: str) -> InvoiceState:
        """Waiting for a person, with the approval request already posted to Slack."""
        return await self.harness.wait_for(
            workflow_id,
            lambda s: s.status == "awaiting_approval" and s.notification_ref is not None,
            what="approval request posted",
        )

    def approval_message(self, workflow_id: str) -> SlackMessage:
        (message,) = [
            m
            for m in self.slack.messages
            if any(
                e.get("value") == workflow_id
                for b in (m.edits[0]["blocks"] if m.edits else m.blocks)
                if b["type"] == "actions"
                for e in b["elements"]
            )
        ]
        return message


@asynccontextmanager
async def effects_stack(
    client: Client,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    xero: FakeXero | None = None,
    slack: FakeSlack | None = None,
    smtp: FakeSmtp | None = None,
    env: dict[str, str] | None = None,
    signing_secret: str = SIGNING_SECRET,
    intake_token: str = INTAKE_TOKEN,
) -> AsyncIterator[Stack]:
    """Fakes on free ports, their env set, a worker built from settings, and the gateway.

    `env` overrides what the worker's integrations read (e.g. wrong credentials)."""
    xero = (xero or FakeXero()).start()
    slack = (slack or FakeSlack()).start()
    smtp = (smtp or FakeSmtp()).start()
    try:
        xero.add_contact(SUPPLIER)
        for name, value in (xero.env() | slack.env() | smtp.env() | (env or {})).items():
            monkeypatch.setenv(name, value)
        settings = make_settings(
            home,
            effects__destination="xero",
            effects__notifier="slack",
            effects__email="smtp",
            effects__email_delay="2s",
            integrations__smtp={"starttls": False},
        )
        async with running_harness(client, settings) as harness:

            async def factory() -> Client:
                return client

            app = create_app(
                harness.settings,
                client_factory=factory,
                env={
                    "SLACK_SIGNING_SECRET": signing_secret,
                    "VOUCHFLOW_INTAKE_TOKEN": intake_token,
                },
            )
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gateway"
            ) as gateway:
                yield Stack(harness, gateway, xero, slack, smtp, intake_token, signing_secret)
    finally:
        xero.stop()
        slack.stop()
        smtp.stop()


def done(state: InvoiceState, effect: str) -> bool:
    return any(e.effect == effect and e.status == "done" for e in state.effects)


def buttons(message: SlackMessage) -> dict[str, str]:
    return {
        e["action_id"]: e["value"]
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


def text_of(message: SlackMessage) -> str:
    return json.dumps(message.blocks)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / f"home-{uuid.uuid4().hex[:6]}"


async def test_pdf_through_gateway_slack_xero_email_and_revert(
    dev_server: WorkflowEnvironment, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = SAMPLE_PDF.read_bytes()
    async with effects_stack(dev_server.client, home, monkeypatch) as stack:
        h = stack.harness
        workflow_id = await stack.upload(pdf, "02_above_limit.pdf")
        state = await stack.awaiting_approval(workflow_id)
        assert state.assessment is not None and state.assessment.invoice.total_minor == 821_760

        # The approval request is in Slack with Approve/Reject buttons for this workflow.
        message = stack.approval_message(workflow_id)
        assert message.channel == "C0APPROVAL"
        assert buttons(message) == {"approve": workflow_id, "reject": workflow_id}
        assert state.notification_ref == f"C0APPROVAL:{message.ts}"
        assert stack.xero.invoices == {}

        # A forged click is refused and changes nothing.
        payload = block_actions_payload(workflow_id, "approve", user_id="U0ALICE")
        forged_body, forged_headers = signed_click(payload, secret="forged-secret")
        forged = await stack.gateway.post(
            "/slack/interactions", content=forged_body, headers=forged_headers
        )
        assert forged.status_code == 401
        assert await signal_count(h.client, workflow_id) == 0
        assert (await h.state(workflow_id)).status == "awaiting_approval"
        assert stack.xero.invoices == {} and message.edits == []

        # The real click, signed as Slack signs it.
        click = await stack.click(workflow_id)
        assert click.status_code == 200, click.text

        state = await h.wait_for(
            workflow_id,
            lambda s: s.status == "drafted" and done(s, "notify.decision"),
            what="drafted and Slack updated",
        )
        assert state.draft_bill is not None and state.draft_bill.destination == "xero"
        (bill,) = stack.xero.invoices.values()
        assert bill["InvoiceID"] == state.draft_bill.bill_id
        assert (bill["Type"], bill["Status"], bill["InvoiceNumber"]) == (
            "ACCPAY",
            "DRAFT",
            "NW-88213",
        )
        assert bill["Contact"]["Name"] == SUPPLIER
        assert str(bill["Total"]) == "8217.60"
        (attachment,) = stack.xero.attachments[bill["InvoiceID"]]
        assert attachment["FileName"] == "02_above_limit.pdf"
        assert stack.xero.attachment_bodies[attachment["AttachmentID"]] == pdf

        # The Slack message now shows the outcome and who decided, without buttons.
        assert message.edits, "chat.update was never called"
        assert buttons(message) == {}
        assert "Draft bill created" in text_of(message)
        assert "alice (approve)" in text_of(message)
        assert [d.actor for d in state.decisions if d.accepted] == ["alice"]

        # The email goes out after the (short) delay, with the deterministic Message-ID.
        state = await h.wait_for(workflow_id, lambda s: s.email_state == "sent", what="email")
        approved_at = next(d.at for d in state.decisions if d.accepted)
        sent = next(e for e in state.effects if e.effect == "send_email" and e.status == "done")
        assert sent.at - approved_at >= dt.timedelta(seconds=2)  # the timer, not a clock race
        (mail,) = stack.smtp.received
        assert mail.message["Message-ID"] == f"<{workflow_id}.draft-bill@vouchflow>"
        assert mail.recipients == ["accounts-payable@example.com"]
        assert "NW-88213" in str(mail.message["Subject"])

        # Revert deletes the draft in Xero and says so in Slack.
        await h.signal_decision(workflow_id, "revert", "alice", reason="entered twice")
        state = await h.wait_for(
            workflow_id,
            lambda s: s.status == "reverted" and done(s, "notify.reverted"),
            what="reverted and Slack updated",
        )
        assert state.draft_bill is not None
        assert stack.xero.invoices[state.draft_bill.bill_id]["Status"] == "DELETED"
        assert len(stack.xero.invoices) == 1
        assert "Draft bill reverted" in text_of(message)

        types = [r.type for r in h.deps.audit.trail(workflow_id)]
        assert types.index("decision.approved") < types.index(
            "effect.intent", types.index("decision.approved")
        )
        assert types.count("decision.approved") == 1
        assert h.deps.audit.verify().ok


async def test_xero_429_storm_still_ends_in_exactly_one_bill(
    dev_server: WorkflowEnvironment, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = TextInvoice(
        supplier=SUPPLIER, number="NW-42900", lines=[Line("Filing cabinets", 30, 21900)]
    )
    async with effects_stack(dev_server.client, home, monkeypatch) as stack:
        h = stack.harness
        workflow_id = await stack.upload(invoice.bytes(), "nw-429.txt")
        await stack.awaiting_approval(workflow_id)
        before = len(stack.xero.requests)
        stack.xero.inject(429, 5, retry_after=1)

        click = await stack.click(workflow_id)
        assert click.status_code == 200

        state = await h.wait_status(workflow_id, "drafted", timeout_s=60)
        during = stack.xero.requests[before:]
        # The storm met the duplicate check just before posting: five attempts were
        # answered 429 at their first call (the contact lookup) and retried after
        # Retry-After; then the check and the post went through, once.
        assert [r.path for r in during[:5]] == ["/Contacts"] * 5
        assert len(stack.xero.api_requests("PUT", "/Invoices")) == 1
        (bill,) = stack.xero.invoices.values()
        assert bill["Status"] == "DRAFT" and bill["InvoiceNumber"] == "NW-42900"
        assert state.draft_bill is not None and state.draft_bill.bill_id == bill["InvoiceID"]
        assert len(stack.xero.attachments[bill["InvoiceID"]]) == 1
        posts = [e for e in state.effects if e.effect == "post_draft_bill"]
        assert [e.status for e in posts] == ["intended", "done"]


async def test_double_click_through_slack_posts_one_bill_and_refuses_the_second(
    dev_server: WorkflowEnvironment, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = TextInvoice(
        supplier=SUPPLIER, number="NW-55010", lines=[Line("Meeting tables", 8, 89900)]
    )
    async with effects_stack(dev_server.client, home, monkeypatch) as stack:
        h = stack.harness
        workflow_id = await stack.upload(invoice.bytes(), "nw-dbl.txt")
        await stack.awaiting_approval(workflow_id)
        for _ in range(2):
            click = await stack.click(workflow_id)
            assert click.status_code == 200
        state = await h.wait_for(
            workflow_id,
            lambda s: s.status == "drafted" and len(s.decisions) == 2,
            what="both clicks recorded",
        )
        assert [(d.kind, d.accepted) for d in state.decisions] == [
            ("approve", True),
            ("approve", False),
        ]
        assert len(stack.xero.invoices) == 1
        assert len(stack.xero.api_requests("PUT", "/Invoices")) == 1
