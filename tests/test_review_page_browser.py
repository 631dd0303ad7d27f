"""The review queue in a real headless browser (Chromium driven by Playwright): a signed-in
approver sees invoices and tickets in one queue, filters it by workflow and by reason,
opens an invoice drawn beside its fields with the evidence boxed on the page, corrects a
field through the form (a bad amount is stopped before anything is sent), approves, and
sees the invoice leave the queue; a ticket is corrected the same way. The workflows
record the gateway's proof. Screenshots of each step are kept as test artifacts.

Chromium comes from Debian's `chromium` package (`make browser`, which `.ci/run` runs).
Screenshots go to `$VOUCHFLOW_ARTIFACTS/review-page` (default `.vouchflow/artifacts`,
which git ignores).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from tests.harness import running_harness
from tests.triage.harness import ticket_event, triage_harness
from vouchflow.gateway.app import create_app
from vouchflow.settings import Settings
from vouchflow.testing.fakes.threaded_asgi import ThreadedServer

TOKENS = {"alice": "alice-review-secret-7f", "bob": "bob-review-secret-9c2"}
ENV = {"VOUCHFLOW_REVIEW_TOKENS": ",".join(f"{k}:{v}" for k, v in TOKENS.items())}
AMBIGUOUS = "Not sure: the last invoice looks different from the dashboard. Could be a bug?"
SAMPLE = resources.files("vouchflow.samples") / "invoices" / "02_above_limit.pdf"
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


@pytest.fixture
def artifacts() -> Path:
    root = Path(os.environ.get("VOUCHFLOW_ARTIFACTS", ".vouchflow/artifacts"))
    folder = root / "review-page"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def serve_gateway(settings: Settings, address: str) -> ThreadedServer:
    """The gateway on a real port; it connects to Temporal from its own event loop."""

    async def connect() -> Client:
        return await Client.connect(address, data_converter=pydantic_data_converter)

    server = ThreadedServer(create_app(settings, client_factory=connect, env=ENV))
    server.start()
    return server


async def _queue_ids(page: Page) -> list[str]:
    return await page.locator("#queue tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")


async def _wait_listed(page: Page, url: str, *workflow_ids: str) -> None:
    for _ in range(100):  # visibility catches up within moments
        await page.goto(f"{url}/review")
        if set(workflow_ids) <= set(await _queue_ids(page)):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{workflow_ids} never appeared in the queue")


async def _filter(page: Page, *, workflow: str = "", reason: str = "") -> list[str]:
    await page.select_option("select[name='workflow']", workflow)
    await page.select_option("select[name='reason']", reason)
    await page.click("button:has-text('Filter')")
    await page.wait_for_load_state()
    return await _queue_ids(page)


async def test_one_queue_filter_open_correct_approve_in_a_real_browser(
    dev_server: WorkflowEnvironment, settings: Settings, chromium: Browser, artifacts: Path
) -> None:
    address = dev_server.client.service_client.config.target_host
    async with (
        running_harness(dev_server.client, settings) as h,
        triage_harness(dev_server.client, settings) as t,
    ):
        sub = await h.submit(SAMPLE.read_bytes(), "northwind-88213.pdf")
        invoice = sub.workflow_id
        await h.wait_status(invoice, "awaiting_approval")
        ticket_sub = await t.start(ticket_event(subject="Something is off", body=AMBIGUOUS))
        ticket = ticket_sub.workflow_id
        await t.wait_status(ticket, "awaiting_approval")
        server = serve_gateway(h.settings, address)
        try:
            context = await chromium.new_context(
                http_credentials={"username": "alice", "password": TOKENS["alice"]},
                viewport={"width": 1500, "height": 1000},
                locale="en-GB",
            )
            page = await context.new_page()

            # One queue: the invoice and the ticket side by side.
            await _wait_listed(page, server.url, invoice, ticket)
            row = page.locator(f"#queue tr[data-id='{invoice}']")
            assert "GBP 8,217.60" in await row.inner_text()
            assert "above the auto-draft limit" in await row.inner_text()
            await page.screenshot(path=artifacts / "1-queue.png", full_page=True)

            # Filters: by workflow, by reason, and both.
            ids = await _filter(page, workflow="ticket")
            assert ticket in ids and invoice not in ids
            ids = await _filter(page, workflow="", reason="amount_limit")
            assert invoice in ids and ticket not in ids
            await page.screenshot(path=artifacts / "2-filtered-by-reason.png", full_page=True)
            assert await _filter(page, workflow="ticket", reason="amount_limit") == []
            assert "Nothing is waiting" in await page.content()
            ids = await _filter(page, workflow="invoice")
            assert ids == [invoice] or (invoice in ids and ticket not in ids)

            # Open the invoice: the page is drawn, the fields beside it, evidence boxed.
            await page.click(f"a[href='/review/{invoice}']")
            picture = page.locator(".page img").first
            await picture.wait_for()
            assert await picture.evaluate("img => img.complete && img.naturalWidth") >= 1000
            fields = page.locator("#fields")
            assert (
                "GBP 8,217.60" in await fields.locator("tr[data-field='total_minor']").inner_text()
            )
            assert "NW-88213" in await fields.inner_text()
            link = fields.locator("tr[data-field='invoice_number'] a.chip").first
            mark_id = (await link.get_attribute("href") or "").lstrip("#")
            mark = await page.locator(f"#{mark_id}").bounding_box()
            drawn = await picture.bounding_box()
            assert mark is not None and drawn is not None
            # The box sits on the drawn page, in its upper right (where the number is).
            assert drawn["x"] + drawn["width"] * 0.2 < mark["x"] < drawn["x"] + drawn["width"]
            assert drawn["y"] < mark["y"] < drawn["y"] + drawn["height"] * 0.35
            assert 10 < mark["width"] < drawn["width"] * 0.3 and mark["height"] < 40
            evidence = await fields.locator(
                "tr[data-field='invoice_number'] .evidence"
            ).inner_text()
            assert "Invoice No: NW-88213" in evidence and "at x" not in evidence
            checks = await page.locator("#checks").inner_text()
            assert "Arithmetic" in checks and "passed" in checks
            assert await page.locator("#signals tbody tr").count() >= 5
            assert "No decision yet" in await page.content()
            assert "Ergonomic office chair" in await page.locator("#lines").inner_html()
            await page.screenshot(path=artifacts / "3-invoice.png", full_page=True)
            await link.click()  # the box of the clicked field stands out
            assert page.url.endswith(f"#{mark_id}")
            colour = await page.locator(f"#{mark_id}").evaluate(
                "el => getComputedStyle(el).borderTopColor"
            )
            assert colour == "rgb(217, 45, 32)"  # :target, the red of the clicked field
            await page.locator(".document").screenshot(path=artifacts / "3b-evidence.png")

            # A malformed amount: the browser refuses to submit the form.
            total = page.locator("input[name='total_minor']")
            await total.fill("8.217,60 GBP")
            await page.click("button:has-text('Approve')")
            assert await total.evaluate("el => !el.validity.valid")
            assert page.url.split("#")[0].endswith(f"/review/{invoice}")
            # An amount the browser accepts but the rules do not: sent back with the
            # reason, what was typed kept, nothing sent to the workflow.
            await total.fill("8217.605")
            await page.fill("input[name='due_date']", "2026-06-15")
            await page.click("button:has-text('Approve')")
            await page.wait_for_selector("#form-errors")
            assert "at most 2 decimals" in await page.locator("#form-errors").inner_text()
            assert await page.input_value("input[name='due_date']") == "2026-06-15"
            await page.screenshot(path=artifacts / "4-refused-before-sending.png", full_page=True)
            assert (await h.state(invoice)).decisions == []

            # The correction: the due date, with the total put back as printed.
            await total.fill("8,217.60")
            await page.fill("input[name='comment']", "due date agreed with Northwind")
            await page.click("button:has-text('Approve')")
            await page.wait_for_selector("text=Your approve: accepted")
            history = await page.locator("#decisions").inner_text()
            assert "alice" in history and "Due date: 2026-06-15" in history
            # Decided: the forms are gone whether or not the status has caught up.
            assert await page.locator("button:has-text('Approve')").count() == 0
            await page.screenshot(path=artifacts / "5-approved.png", full_page=True)
            state = await h.wait_status(invoice, "drafted")
            approval = state.decisions[-1]
            assert (approval.actor, approval.channel, approval.comment) == (
                "alice",
                "review-page",
                "due date agreed with Northwind",
            )
            assert approval.corrections == {"due_date": "2026-06-15"}
            assert approval.proof.startswith("token:gateway/")
            assert state.assessment is not None
            assert str(state.assessment.invoice.due_date) == "2026-06-15"

            # It left the queue; the ticket is still there.
            await page.goto(f"{server.url}/review")
            ids = await _queue_ids(page)
            assert invoice not in ids and ticket in ids
            await page.screenshot(path=artifacts / "6-queue-after-approval.png", full_page=True)

            # The ticket: its text beside the proposal, corrected through the form.
            await page.click(f"a[href='/review/{ticket}']")
            assert AMBIGUOUS in await page.locator(".ticket-body").inner_text()
            await page.select_option("select[name='category']", "billing")
            await page.select_option("select[name='urgency']", "high")
            await page.fill("#correct-form input[name='reason']", "customer was double charged")
            await page.click("button:has-text('Correct')")
            await page.wait_for_selector("text=Your correct: accepted")
            result = await t.result(ticket)
            assert result.correction is not None and result.correction.reviewer == "alice"
            assert result.correction.corrected.urgency == "high"
            assert result.route is not None and result.route.route == "escalation"
            await page.goto(f"{server.url}/review")
            assert ticket not in await _queue_ids(page)
            await page.screenshot(path=artifacts / "7-queue-empty.png", full_page=True)
            await context.close()
        finally:
            server.stop()
    sizes = [shot.stat().st_size for shot in sorted(os.scandir(artifacts), key=lambda e: e.name)]
    assert len(sizes) == 8 and min(sizes) > 5000  # every step pictured, none blank
