"""The review page: a signed-in approver decides from a browser; the workflow's policy rules."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.gateway.app import create_app
from vouchflow.gateway.review import form_token
from vouchflow.settings import Settings

TOKENS = {"alice": "alice-review-secret-7f", "bob": "bob-review-secret-9c2"}
ENV = {"VOUCHFLOW_REVIEW_TOKENS": ",".join(f"{k}:{v}" for k, v in TOKENS.items())}


@pytest.fixture
async def harness(dev_server: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Harness]:
    # The listing uses visibility queries, which the time-skipping server does not serve.
    async with running_harness(dev_server, settings) as h:
        yield h


def browser(h: Harness, reviewer: str | None) -> httpx.AsyncClient:
    async def factory() -> Client:
        return h.client

    app = create_app(h.settings, client_factory=factory, env=ENV)
    auth = (reviewer, TOKENS[reviewer]) if reviewer else None
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway", auth=auth
    )


async def _awaiting(h: Harness, number: str, total_lines: int = 20) -> str:
    invoice = TextInvoice(number=number, lines=[Line("Standing desks", total_lines, 29900)])
    sub = await h.submit(invoice.bytes())
    await h.wait_status(sub.workflow_id, "awaiting_approval")
    return sub.workflow_id


async def test_sign_in_is_required(harness: Harness) -> None:
    async with browser(harness, None) as anonymous:
        response = await anonymous.get("/review")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    async with browser(harness, "alice") as alice:
        # A typed name is not enough: the person's own secret is needed.
        for auth in (
            ("alice", "wrong"),
            ("alice", ""),
            ("alice", TOKENS["bob"]),
            ("mallory", TOKENS["alice"]),
        ):
            alice.auth = auth
            assert (await alice.get("/review")).status_code == 401, auth
        alice.auth = ("ALICE", TOKENS["alice"])  # ids are case-insensitive
        assert (await alice.get("/review")).status_code == 200


def test_short_or_malformed_review_secrets_are_ignored() -> None:
    from vouchflow.gateway.review import parse_review_tokens

    parsed = parse_review_tokens(
        "alice:short,bob:bob-review-secret-9c2,Bad Id!:carol-review-secret-01,:x,dave"
    )
    assert parsed == {"bob": "bob-review-secret-9c2"}


async def test_review_pages_send_anti_framing_and_no_cache_headers(harness: Harness) -> None:
    workflow_id = await _awaiting(harness, "RP-H")
    async with browser(harness, "alice") as alice:
        pages = [await alice.get("/review"), await alice.get(f"/review/{workflow_id}")]
    for page in pages:
        assert page.status_code == 200
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"


async def test_a_crafted_note_link_is_not_shown(harness: Harness) -> None:
    workflow_id = await _awaiting(harness, "RP-N")
    async with browser(harness, "alice") as alice:
        page = await alice.get(
            f"/review/{workflow_id}", params={"note": "Your approve: accepted - all good"}
        )
    assert "all good" not in page.text


async def test_list_detail_and_approve(harness: Harness) -> None:
    workflow_id = await _awaiting(harness, "RP-1")
    async with browser(harness, "alice") as alice:
        for _ in range(50):  # visibility catches up within moments
            listing = await alice.get("/review")
            if workflow_id in listing.text:
                break
            await asyncio.sleep(0.1)
        assert listing.status_code == 200 and workflow_id in listing.text
        assert "auto-draft limit" in listing.text
        page = await alice.get(f"/review/{workflow_id}")
        assert "Standing desks" in page.text and "Why it needs you" in page.text
        token = re.search(r"name='form_token' value='([0-9a-f]+)'", page.text)
        assert token is not None
        done = await alice.post(
            f"/review/{workflow_id}/approve",
            data={"form_token": token.group(1), "comment": "matches PO 12"},
            follow_redirects=True,
        )
    assert "Your approve: accepted" in done.text
    state = await harness.wait_status(workflow_id, "drafted")
    decision = state.decisions[-1]
    assert (decision.actor, decision.channel, decision.comment) == (
        "alice",
        "review-page",
        "matches PO 12",
    )
    # Proven by the gateway's key for the signed-in person, not by a typed name.
    assert decision.proof.startswith("token:gateway/")


async def test_forged_form_is_refused_and_policy_still_decides(harness: Harness) -> None:
    workflow_id = await _awaiting(harness, "RP-2", total_lines=40)  # above bob's limit
    async with browser(harness, "bob") as bob:
        forged = await bob.post(f"/review/{workflow_id}/approve", data={"form_token": "0" * 64})
        assert forged.status_code == 403
        # A token made for another reviewer does not work either.
        alices = form_token(TOKENS["alice"], "alice", workflow_id)
        assert (
            await bob.post(f"/review/{workflow_id}/approve", data={"form_token": alices})
        ).status_code == 403
        assert (await harness.state(workflow_id)).decisions == []
        token = form_token(TOKENS["bob"], "bob", workflow_id)
        refused = await bob.post(
            f"/review/{workflow_id}/approve", data={"form_token": token}, follow_redirects=True
        )
        assert "Your approve: REFUSED" in refused.text and "limit" in refused.text
        rejected = await bob.post(
            f"/review/{workflow_id}/reject",
            data={"form_token": token, "reason": "not ordered"},
            follow_redirects=True,
        )
    assert "Your reject: accepted" in rejected.text
    final = await harness.result(workflow_id)
    assert final.status == "rejected" and "not ordered" in final.status_reason


async def test_without_tokens_there_is_no_review_page(harness: Harness, tmp_path: Path) -> None:
    async def factory() -> Client:
        return harness.client

    app = create_app(harness.settings, client_factory=factory, env={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as http:
        assert (await http.get("/review")).status_code == 404
