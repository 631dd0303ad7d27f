"""The review page in a real headless browser (Chromium driven by Playwright): a signed-in
approver finds the invoice waiting, approves it with a comment, and a ticket waiting for
review is corrected through its form; the workflows record the gateway's proof.

Chromium comes from Debian's `chromium` package (`make browser`, which `.ci/run` runs).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from tests.triage.harness import ticket_event, triage_harness
from vouchflow.gateway.app import create_app
from vouchflow.settings import Settings
from vouchflow.testing.fakes.threaded_asgi import ThreadedServer

TOKENS = {"alice": "alice-review-secret-7f", "bob": "bob-review-secret-9c2"}
ENV = {"VOUCHFLOW_REVIEW_TOKENS": ",".join(f"{k}:{v}" for k, v in TOKENS.items())}
AMBIGUOUS = "Not sure: the last invoice looks different from the dashboard. Could be a bug?"
# Flags for Chromium as root on a machine without a display or outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    path = shutil.which("chromium")
    assert path, "Chromium is not installed: run `make browser` (Debian package chromium)"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def serve_gateway(settings: Settings, address: str) -> ThreadedServer:
    """The gateway on a real port; it connects to Temporal from its own event loop."""

    async def connect() -> Client:
        return await Client.connect(address, data_converter=pydantic_data_converter)

    server = ThreadedServer(create_app(settings, client_factory=connect, env=ENV))
    server.start()
    return server


async def test_an_approver_approves_and_corrects_in_a_real_browser(
    dev_server: WorkflowEnvironment, settings: Settings, chromium: Browser
) -> None:
    address = dev_server.client.service_client.config.target_host
    async with running_harness(dev_server.client, settings) as h:
        invoice = await _awaiting_invoice(h)
        server = serve_gateway(h.settings, address)
        try:
            context = await chromium.new_context(
                http_credentials={"username": "alice", "password": TOKENS["alice"]}
            )
            page = await context.new_page()
            for _ in range(50):  # visibility catches up within moments
                await page.goto(f"{server.url}/review")
                if await page.locator(f"a[href='/review/{invoice}']").count():
                    break
                await asyncio.sleep(0.2)
            await page.click(f"a[href='/review/{invoice}']")
            assert "Standing desks" in await page.content()
            await page.fill("input[name='comment']", "matches PO 12")
            await page.click("button:has-text('Approve')")
            await page.wait_for_selector("text=Your approve: accepted")
            state = await h.wait_status(invoice, "drafted")
            approval = state.decisions[-1]
            assert (approval.actor, approval.channel, approval.comment) == (
                "alice",
                "review-page",
                "matches PO 12",
            )
            assert approval.proof.startswith("token:gateway/")
            await context.close()
        finally:
            server.stop()

    async with triage_harness(dev_server.client, settings) as t:
        sub = await t.start(ticket_event(subject="Something is off", body=AMBIGUOUS))
        await t.wait_status(sub.workflow_id, "awaiting_approval")
        server = serve_gateway(t.settings, address)
        try:
            context = await chromium.new_context(
                http_credentials={"username": "bob", "password": TOKENS["bob"]}
            )
            page = await context.new_page()
            for _ in range(50):
                await page.goto(f"{server.url}/review")
                if await page.locator(f"a[href='/review/{sub.workflow_id}']").count():
                    break
                await asyncio.sleep(0.2)
            await page.click(f"a[href='/review/{sub.workflow_id}']")
            await page.select_option("select[name='category']", "billing")
            await page.select_option("select[name='urgency']", "high")
            await page.fill("input[name='reason']", "customer was double charged")
            await page.click("button:has-text('Correct')")
            await page.wait_for_selector("text=Your correct: accepted")
            ticket = await t.result(sub.workflow_id)
            assert ticket.correction is not None and ticket.correction.reviewer == "bob"
            assert ticket.correction.corrected.urgency == "high"
            assert ticket.route is not None and ticket.route.route == "escalation"
            await context.close()
        finally:
            server.stop()


async def _awaiting_invoice(h: Harness) -> str:
    invoice = TextInvoice(number="RPB-1", lines=[Line("Standing desks", 20, 29900)])
    sub = await h.submit(invoice.bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    return sub.workflow_id
