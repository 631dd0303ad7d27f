"""The review queue over HTTP on the real dev server: invoices and tickets in one list,
filtered by workflow and reason, the document's pages as pictures for signed-in
reviewers only, text documents shown on their character grid, and corrections typed as
money that arrive at the workflow in minor units (or are refused before being sent)."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from importlib import resources

import httpx
import pytest
from PIL import Image
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from tests.triage.harness import TriageHarness, ticket_event, triage_harness
from vouchflow.gateway.app import create_app
from vouchflow.gateway.review import form_token
from vouchflow.settings import Settings

TOKENS = {"alice": "alice-review-secret-7f", "bob": "bob-review-secret-9c2"}
ENV = {"VOUCHFLOW_REVIEW_TOKENS": ",".join(f"{k}:{v}" for k, v in TOKENS.items())}
PDF = resources.files("vouchflow.samples") / "invoices" / "02_above_limit.pdf"
AMBIGUOUS = "Not sure: the last invoice looks different from the dashboard. Could be a bug?"


@pytest.fixture
async def both(
    dev_server: WorkflowEnvironment, settings: Settings
) -> AsyncIterator[tuple[Harness, TriageHarness]]:
    async with (
        running_harness(dev_server, settings) as h,
        triage_harness(dev_server.client, settings) as t,
    ):
        yield h, t


def pdf_copy(tag: str) -> bytes:
    """The sample PDF with a trailing comment: the same pages, another document (workflow
    ids derive from the bytes, and each test needs its own workflow)."""
    return PDF.read_bytes() + f"\n% {tag}\n".encode()


def browser(h: Harness, reviewer: str | None) -> httpx.AsyncClient:
    async def factory() -> Client:
        return h.client

    app = create_app(h.settings, client_factory=factory, env=ENV)
    auth = (reviewer, TOKENS[reviewer]) if reviewer else None
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway", auth=auth
    )


def listed(page: str) -> list[str]:
    return re.findall(r'<tr data-workflow="\w+" data-id="([^"]+)">', page)


async def until_listed(http: httpx.AsyncClient, *ids: str) -> str:
    for _ in range(100):  # visibility catches up within moments
        page = (await http.get("/review")).text
        if set(ids) <= set(listed(page)):
            return page
        await asyncio.sleep(0.1)
    raise AssertionError(f"{ids} never listed")


async def test_one_queue_with_filters_by_workflow_and_reason(
    both: tuple[Harness, TriageHarness],
) -> None:
    h, t = both
    pdf = await h.submit(pdf_copy("queue"), "northwind.pdf")
    ticket = await t.start(ticket_event(subject="Something is off", body=AMBIGUOUS))
    await h.wait_status(pdf.workflow_id, "awaiting_approval")
    await t.wait_status(ticket.workflow_id, "awaiting_approval")
    async with browser(h, "alice") as alice:
        page = await until_listed(alice, pdf.workflow_id, ticket.workflow_id)
        # The menus count what the queue holds.
        assert re.search(r'<option value="invoice"[^>]*>Invoices \(\d+\)', page)
        assert re.search(r'<option value="amount_limit"[^>]*>above the auto-draft limit', page)
        assert re.search(r'<option value="low_confidence"[^>]*>low confidence', page)
        tickets = listed((await alice.get("/review", params={"workflow": "ticket"})).text)
        assert ticket.workflow_id in tickets and pdf.workflow_id not in tickets
        by_reason = listed((await alice.get("/review", params={"reason": "amount_limit"})).text)
        assert pdf.workflow_id in by_reason and ticket.workflow_id not in by_reason
        none = await alice.get("/review", params={"workflow": "ticket", "reason": "amount_limit"})
        assert listed(none.text) == [] and "with these filters" in none.text
        # A hand-made link with values the page never offers filters nothing.
        odd = await alice.get("/review", params={"workflow": "x' OR 1=1", "reason": "<b>"})
        assert odd.status_code == 200
        assert {pdf.workflow_id, ticket.workflow_id} <= set(listed(odd.text))
        assert "<b>" not in odd.text


async def test_pages_are_pictures_for_signed_in_reviewers_only(
    both: tuple[Harness, TriageHarness],
) -> None:
    h, _ = both
    pdf = await h.submit(pdf_copy("pictures"), "northwind.pdf")
    await h.wait_status(pdf.workflow_id, "awaiting_approval")
    async with browser(h, None) as anonymous:
        assert (await anonymous.get(f"/review/{pdf.workflow_id}/page/0")).status_code == 401
    async with browser(h, "bob") as bob:
        picture = await bob.get(f"/review/{pdf.workflow_id}/page/0")
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
        assert picture.headers["cache-control"] == "no-store"
        assert Image.open(io.BytesIO(picture.content)).width == 1200
        assert (await bob.get(f"/review/{pdf.workflow_id}/page/1")).status_code == 404
        assert (await bob.get("/review/invoice-0000/page/0")).status_code == 404
        detail = (await bob.get(f"/review/{pdf.workflow_id}")).text
        # The page, and a numbered box for the invoice number linked from its row.
        assert f'src="/review/{pdf.workflow_id}/page/0"' in detail
        row = re.search(r'<tr data-field="invoice_number">.*?</tr>', detail, re.S)
        assert row is not None
        (number,) = re.findall(r'href="#mark-(\d+)"', row.group())
        assert f'id="mark-{number}"' in detail
        assert "GBP 8,217.60" in detail and "821760" not in detail
        # Images may come from the gateway itself, and nothing else runs.
        csp = picture.headers["content-security-policy"]
        assert "img-src 'self'" in csp and "script-src" not in csp


async def test_a_text_invoice_is_shown_as_text_with_its_evidence_marked(
    both: tuple[Harness, TriageHarness],
) -> None:
    h, _ = both
    text = TextInvoice(number="RQ-TXT-1", lines=[Line("Standing desks", 20, 29900)])
    sub = await h.submit(text.bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    async with browser(h, "alice") as alice:
        detail = (await alice.get(f"/review/{sub.workflow_id}")).text
        assert "/page/0" not in detail  # no picture of a text file
        assert '<div class="text page"' in detail and "RQ-TXT-1" in detail
        row = re.search(r'<tr data-field="invoice_number">.*?</tr>', detail, re.S)
        assert row is not None and re.search(r'href="#mark-\d+"', row.group())
        assert (await alice.get(f"/review/{sub.workflow_id}/page/0")).status_code == 404


async def test_corrections_typed_as_money_reach_the_workflow_in_minor_units(
    both: tuple[Harness, TriageHarness],
) -> None:
    h, _ = both
    text = TextInvoice(number="RQ-FIX-1", lines=[Line("Standing desks", 20, 29900)])
    sub = await h.submit(text.bytes())
    wid = sub.workflow_id
    state = await h.wait_status(wid, "awaiting_approval")
    assert state.assessment is not None
    token = form_token(TOKENS["alice"], "alice", wid)
    async with browser(h, "alice") as alice:
        # Refused before sending: an amount with more decimals than the currency has.
        bad = await alice.post(
            f"/review/{wid}/approve",
            data={"form_token": token, "total_minor": "7,176.001", "invoice_number": "RQ-FIX-2"},
        )
        assert bad.status_code == 422 and "at most 2 decimals" in bad.text
        assert 'value="RQ-FIX-2"' in bad.text  # what was typed is kept
        assert (await h.state(wid)).decisions == []
        done = await alice.post(
            f"/review/{wid}/approve",
            data={"form_token": token, "invoice_number": "RQ-FIX-2", "comment": "typo"},
            follow_redirects=True,
        )
        assert "Your approve: accepted" in done.text
        assert "corrected Invoice number: RQ-FIX-2" in done.text
        # Decided: gone from the queue at once, whatever visibility says yet.
        assert wid not in listed((await alice.get("/review")).text)
    final = await h.wait_status(wid, "drafted")
    approval = final.decisions[-1]
    assert approval.corrections == {"invoice_number": "RQ-FIX-2"}
    assert final.assessment is not None and final.assessment.invoice.invoice_number == "RQ-FIX-2"
    assert approval.proof.startswith("token:gateway/")
