"""The review page: one queue of everything waiting for a person, decided from a browser.

`/review` lists invoices and tickets awaiting a person (gateway/review_queue.py),
filterable by workflow and reason. An item shows the document beside what was read
from it (the page drawn, each value's evidence boxed, gateway/review_document.py),
amounts as money, the checks passed and failed, the confidence signals and the
decisions so far (gateway/review_pages.py and templates/review). Corrections are made
by editing the fields (gateway/review_form.py): checked before anything is sent, and
checked again by the workflow.

Enabled when `VOUCHFLOW_REVIEW_TOKENS` lists reviewers as `id:secret,id:secret`: each
person has their own secret (at least 16 characters; shorter ones are ignored). People
sign in with HTTP Basic auth (their person id and secret; serve the gateway over TLS in
production); a name alone is never enough. Every form carries a token derived from the
reviewer's secret and the workflow id, so another site cannot make a signed-in browser
approve anything (CSRF), and no page of the gateway may be framed (security headers).

A decision is signed by the gateway's key for the signed-in person (channel
review-page, bound to the workflow and the action) and sent as the `decide` update;
the page shows the workflow's reply. The page only *asks*: the workflow's own policy
(approver list, limits, segregation of duties, re-validated corrections) decides,
exactly as for Slack or the CLI.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import html
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from temporalio.client import Client

from schemas.common.decisions import MAX_TEXT, DecisionRequest
from schemas.common.money import MINOR_MAX
from schemas.invoice.workflow import InvoiceState
from schemas.triage.classification import CATEGORIES, URGENCIES
from schemas.triage.decisions import TriageDecisionRequest
from schemas.triage.state import TriageState
from vouchflow.documents.blobs import BlobStore
from vouchflow.gateway.decisions import DecisionNotDelivered, GatewayIdentity, deliver_decision
from vouchflow.gateway.review_document import DocumentView, load_view
from vouchflow.gateway.review_form import parse_form
from vouchflow.gateway.review_pages import invoice_page, message_page, queue_page, ticket_page
from vouchflow.gateway.review_queue import load_queue, query_state, workflow_kind
from vouchflow.gateway.review_render import PageNotRenderable, RenderCache, render_page
from vouchflow.identity.keys import check_id
from vouchflow.stores.redact import clean_text

log = structlog.get_logger("vouchflow.gateway")

TOKENS_ENV = "VOUCHFLOW_REVIEW_TOKENS"
INVOICE_ACTIONS = ("approve", "reject")
TICKET_ACTIONS = ("confirm", "correct")
ClientGetter = Callable[[], Awaitable[Client]]
Endpoint = Callable[[Request], Awaitable[Response]]
# A page's handler, given the signed-in reviewer's id.
ReviewerPage = Callable[[Request, str], Awaitable[Response]]
MIN_SECRET_CHARS = 16
# How long the page waits for the workflow's answer to a decision.
DECIDE_TIMEOUT_S = 15.0
# An invoice form has a few fields per line; far more is not a form this page served.
MAX_FORM_FIELDS = 2000


def _e(value: object, limit: int = 2000) -> str:
    """One clean line of untrusted text, HTML-escaped: what the templates' `|t` prints
    (bidi overrides and line separators dropped, so the page shows what was read)."""
    return html.escape(clean_text(value, limit))


def parse_review_tokens(raw: str) -> dict[str, str]:
    """`id:secret,...` -> {person id: secret}; malformed ids and short secrets are dropped."""
    tokens: dict[str, str] = {}
    for item in raw.split(","):
        reviewer, sep, token = item.strip().partition(":")
        if not sep or len(token) < MIN_SECRET_CHARS:
            continue
        try:
            tokens[check_id(reviewer)] = token
        except ValueError:
            continue
    return tokens


def form_token(secret: str, reviewer: str, workflow_id: str) -> str:
    message = f"review:{reviewer}:{workflow_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _reviewer(request: Request, tokens: Mapping[str, str]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        typed, _, token = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    reviewer = typed.strip().casefold()
    # Compare against something even for an unknown id, so timing does not tell ids apart.
    expected = tokens.get(reviewer, "\x00" * MIN_SECRET_CHARS)
    if not hmac.compare_digest(expected.encode(), token.encode()) or reviewer not in tokens:
        return None
    return reviewer


class SignInThrottle:
    """Failed sign-ins per client address: after MAX_FAILURES within WINDOW_S, that
    address gets 429 until the window passes, so secrets cannot be guessed at speed.
    Kept in memory: a restart forgives, which costs an attacker a restart per burst."""

    MAX_FAILURES = 10
    WINDOW_S = 300.0

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._failures: dict[str, list[float]] = {}

    def _recent(self, address: str) -> list[float]:
        cutoff = self._clock() - self.WINDOW_S
        recent = [t for t in self._failures.get(address, []) if t > cutoff]
        if recent:
            self._failures[address] = recent
        else:
            self._failures.pop(address, None)
        return recent

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.MAX_FAILURES

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, []).append(self._clock())
        if len(self._failures) > 10_000:  # bounded memory under a spray of addresses
            oldest = min(self._failures, key=lambda a: self._failures[a][-1])
            self._failures.pop(oldest, None)


def _challenge() -> Response:
    return Response(
        "sign in with your approver id and review token",
        status_code=401,
        headers={"WWW-Authenticate": 'Basic realm="vouchflow review"'},
    )


def review_routes(
    get_client: ClientGetter,
    env: Mapping[str, str],
    identity: GatewayIdentity,
    clock: Callable[[], float] = time.monotonic,
    *,
    blobs: BlobStore | None = None,
    max_amount_minor: int = MINOR_MAX,
) -> list[Route]:
    tokens = parse_review_tokens(env.get(TOKENS_ENV, ""))
    if not tokens:
        return []
    throttle = SignInThrottle(clock)
    rendered = RenderCache()

    def signed_in(page: ReviewerPage) -> Endpoint:
        """The page for a signed-in reviewer only; everyone else is challenged, and an
        address that keeps failing is turned away for a while."""

        async def endpoint(request: Request) -> Response:
            address = request.client.host if request.client else "unknown"
            if throttle.blocked(address):
                return Response("too many failed sign-ins; try again later", status_code=429)
            reviewer = _reviewer(request, tokens)
            if reviewer is None:
                if request.headers.get("authorization"):
                    throttle.failed(address)
                return _challenge()
            return await page(request, reviewer)

        return endpoint

    def token_for(reviewer: str, workflow_id: str) -> str:
        # The CSRF token forms carry: bound to the reviewer's secret and the workflow.
        return form_token(tokens[reviewer], reviewer, workflow_id)

    # Notes shown after a decision are signed, so a crafted link cannot make the page
    # claim an outcome the workflow never gave.
    note_key = os.urandom(32)

    def note_signature(note: str) -> str:
        return hmac.new(note_key, note.encode(), hashlib.sha256).hexdigest()

    async def state_of(workflow_id: str) -> InvoiceState | None:
        if workflow_kind(workflow_id) != "invoice":
            return None
        return await query_state(await get_client(), workflow_id, InvoiceState)

    async def ticket_of(workflow_id: str) -> TriageState | None:
        if workflow_kind(workflow_id) != "ticket":
            return None
        return await query_state(await get_client(), workflow_id, TriageState)

    async def index(request: Request, reviewer: str) -> Response:
        workflow = request.query_params.get("workflow", "")
        reason = request.query_params.get("reason", "")
        queue = await load_queue(get_client, workflow=workflow, reason=reason)
        return queue_page(queue, reviewer=reviewer, workflow=workflow, reason=reason)

    async def show_invoice(
        state: InvoiceState,
        reviewer: str,
        note: str = "",
        submitted: Mapping[str, str] | None = None,
        errors: list[str] | None = None,
    ) -> Response:
        doc, evidence = (
            await asyncio.to_thread(load_view, state.document, state.extraction, blobs)
            if blobs is not None
            else (DocumentView(unavailable="documents are not available here"), [])
        )
        return invoice_page(
            state,
            reviewer=reviewer,
            token=token_for(reviewer, state.workflow_id),
            note=note,
            doc=doc,
            evidence=evidence,
            submitted=submitted,
            errors=errors or [],
        )

    async def detail(request: Request, reviewer: str) -> Response:
        workflow_id = request.path_params["workflow_id"]
        note = request.query_params.get("note", "")
        if not hmac.compare_digest(request.query_params.get("sig", ""), note_signature(note)):
            note = ""
        ticket = await ticket_of(workflow_id)
        if ticket is not None:
            token = token_for(reviewer, workflow_id)
            return ticket_page(ticket, reviewer=reviewer, token=token, note=note)
        state = await state_of(workflow_id)
        if state is None:
            return message_page("Not found", f"No workflow {workflow_id}.", reviewer)
        return await show_invoice(state, reviewer, note)

    async def page_image(request: Request, reviewer: str) -> Response:
        """One page of an invoice's original document as a PNG, for signed-in reviewers."""
        workflow_id = request.path_params["workflow_id"]
        page = request.path_params["page"]
        state = await state_of(workflow_id)
        if state is None or blobs is None or state.document is None or not state.document.ok:
            return Response("no such page", status_code=404)
        kind, sha = state.document.detected_type, state.event.document_sha256
        png = rendered.get((sha, page))
        if png is None:
            try:
                data = await asyncio.to_thread(blobs.get, sha)
                png = await asyncio.to_thread(render_page, data, kind, page)
            except (PageNotRenderable, KeyError, OSError):
                return Response("no such page", status_code=404)
            except Exception as err:  # a renderer failure must not take the page down
                log.warning("page not rendered", workflow_id=workflow_id, error=type(err).__name__)
                return Response("the page could not be drawn", status_code=404)
            rendered.put((sha, page), png)
        return Response(png, media_type="image/png")

    async def decide(request: Request, reviewer: str) -> Response:
        workflow_id = request.path_params["workflow_id"]
        action = request.path_params["action"]
        is_ticket = workflow_kind(workflow_id) == "ticket"
        if action not in (TICKET_ACTIONS if is_ticket else INVOICE_ACTIONS):
            return Response("unknown action", status_code=404)
        form = await request.form(max_fields=MAX_FORM_FIELDS)
        expected = token_for(reviewer, workflow_id)
        if not hmac.compare_digest(str(form.get("form_token", "")), expected):
            return Response("the form is stale or was not served by this page", status_code=403)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if is_ticket:
            return await decide_ticket(reviewer, workflow_id, action, fields)
        state = await state_of(workflow_id)
        if state is None:
            return message_page("Not found", f"No invoice workflow {workflow_id}.", reviewer, 404)
        corrections: dict[str, Any] | None = None
        if action == "approve" and state.assessment is not None:
            base = state.extraction.invoice if state.extraction else state.assessment.invoice
            parsed = parse_form(
                fields, state.assessment.invoice, base, max_amount_minor=max_amount_minor
            )
            if parsed.errors:
                # Nothing is sent: the reviewer sees the form as typed, with what to fix.
                return await show_invoice(state, reviewer, "", fields, parsed.errors)
            corrections = parsed.corrections
        request_ = DecisionRequest(
            kind="approve" if action == "approve" else "reject",
            token=identity.token(
                person=reviewer, workflow_id=workflow_id, action=action, channel="review-page"
            ),
            comment=fields.get("comment", "")[:MAX_TEXT] if action == "approve" else "",
            reason=(
                ""
                if action == "approve"
                else (fields.get("reason", "") or "rejected on the review page")[:MAX_TEXT]
            ),
            corrections=corrections,
            channel="review-page",
        )
        return await deliver(workflow_id, action, request_)

    async def decide_ticket(
        reviewer: str, workflow_id: str, action: str, form: Mapping[str, str]
    ) -> Response:
        token = identity.token(
            person=reviewer, workflow_id=workflow_id, action=action, channel="review-page"
        )
        if action == "confirm":
            return await deliver(
                workflow_id,
                action,
                TriageDecisionRequest(kind="confirm", token=token, channel="review-page"),
            )
        category, urgency = form.get("category", ""), form.get("urgency", "")
        if category not in CATEGORIES or urgency not in URGENCIES:
            return message_page(
                "Not a correction", "Choose a category and an urgency.", reviewer, 400
            )
        return await deliver(
            workflow_id,
            action,
            TriageDecisionRequest(
                kind="correct",
                token=token,
                category=category,
                urgency=urgency,
                reason=(form.get("reason", "") or "corrected on the review page")[:MAX_TEXT],
                channel="review-page",
            ),
        )

    async def deliver(
        workflow_id: str, action: str, request_: DecisionRequest | TriageDecisionRequest
    ) -> Response:
        try:
            reply = await asyncio.wait_for(
                deliver_decision(get_client, workflow_id, request_), DECIDE_TIMEOUT_S
            )
            verdict = "accepted" if reply.accepted else "REFUSED"
            note = f"Your {reply.kind}: {verdict} - {reply.reason}"
        except DecisionNotDelivered as err:
            note = f"Your {action} was not recorded: {err}"
        except TimeoutError:
            note = "Your decision was sent; refresh to see what the workflow made of it."
        return RedirectResponse(
            f"/review/{quote(workflow_id)}?note={quote(note)}&sig={note_signature(note)}",
            status_code=303,
        )

    return [
        Route("/review", signed_in(index), methods=["GET"]),
        Route("/review/{workflow_id}", signed_in(detail), methods=["GET"]),
        Route("/review/{workflow_id}/page/{page:int}", signed_in(page_image), methods=["GET"]),
        Route("/review/{workflow_id}/{action}", signed_in(decide), methods=["POST"]),
    ]
