"""The review page: approve or reject invoices from a browser.

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
import json
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.service import RPCError

from schemas.common.decisions import MAX_TEXT, DecisionRecord, DecisionRequest
from schemas.invoice.workflow import InvoiceState
from schemas.triage.classification import CATEGORIES, URGENCIES
from schemas.triage.decisions import TriageDecisionRequest
from schemas.triage.state import TriageState
from vouchflow.gateway.decisions import DecisionNotDelivered, GatewayIdentity, deliver_decision
from vouchflow.identity.keys import check_id
from vouchflow.stores.redact import clean_text

TOKENS_ENV = "VOUCHFLOW_REVIEW_TOKENS"
WORKFLOW_ID_PREFIX = "invoice-"
TICKET_ID_PREFIX = "triage-"
INVOICE_ACTIONS = ("approve", "reject")
TICKET_ACTIONS = ("confirm", "correct")
S = TypeVar("S", InvoiceState, TriageState)
ClientGetter = Callable[[], Awaitable[Client]]
MIN_SECRET_CHARS = 16
# How long the page waits for the workflow's answer to a decision.
DECIDE_TIMEOUT_S = 15.0


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


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "text-align:left}.refused{color:#a00}.accepted{color:#070}</style></head>"
        f"<body><h1>{_e(title)}</h1>{body}</body></html>"
    )


def _e(value: object, limit: int = 2000) -> str:
    # Document text may carry bidi overrides or line separators that would make the page
    # show something other than what was read: one clean line, then HTML-escaped.
    return html.escape(clean_text(value, limit))


def _decisions(decisions: list[DecisionRecord]) -> str:
    """The decisions a workflow recorded, accepted and refused, as a list."""
    if not decisions:
        return ""
    items = []
    for d in decisions:
        verdict = "accepted" if d.accepted else "refused"
        items.append(
            f"<li class='{verdict}'>{_e(d.kind)} by {_e(d.actor)} ({_e(d.channel)}): "
            f"{verdict} - {_e(d.reason)}</li>"
        )
    return "<h2>Decisions</h2><ul>" + "".join(items) + "</ul>"


def _detail(state: InvoiceState, reviewer: str, token: str, note: str) -> str:
    parts = [f"<p>{_e(note)}</p>" if note else ""]
    parts.append(f"<p><b>Status:</b> {_e(state.status)} - {_e(state.status_reason)}</p>")
    if state.assessment is not None:
        a = state.assessment
        inv = a.invoice
        rows = [
            ("Supplier", inv.supplier_name),
            ("Invoice number", inv.invoice_number),
            ("Issued", inv.issue_date),
            ("Due", inv.due_date),
            ("Total", state.total_text()),
            ("Confidence", f"{a.confidence.score}/100"),
            ("File", state.event.filename),
            ("Submitted by", state.event.submitted_by),
        ]
        parts.append(
            "<table>"
            + "".join(f"<tr><th>{k}</th><td>{_e(v)}</td></tr>" for k, v in rows)
            + "</table>"
        )
        parts.append("<h2>Why it needs you</h2><ul>")
        parts += [f"<li>{_e(r)}</li>" for r in a.decision.reasons]
        parts.append("</ul><h2>Checks</h2><ul>")
        parts += [f"<li>[{_e(f.severity)}] {_e(f.message)}</li>" for f in a.findings]
        parts.append(
            "</ul><h2>Lines</h2><table><tr><th>Description</th><th>Qty</th>"
            "<th>Unit</th><th>VAT %</th><th>Total</th></tr>"
        )
        for line in inv.line_items:
            parts.append(
                f"<tr><td>{_e(line.description)}</td><td>{_e(line.quantity)}</td>"
                f"<td>{_e(line.unit_price_minor)}</td><td>{_e(line.tax_rate)}</td>"
                f"<td>{_e(line.line_total_minor)}</td></tr>"
            )
        parts.append("</table>")
    parts.append(_decisions(state.decisions))
    if state.status == "awaiting_approval":
        wid = _e(state.workflow_id)
        hidden = f"<input type='hidden' name='form_token' value='{_e(token)}'>"
        parts.append(
            f"<h2>Decide as {_e(reviewer)}</h2>"
            f"<form method='post' action='/review/{wid}/approve'>{hidden}"
            "<p><label>Comment <input name='comment' size='50'></label></p>"
            "<p><label>Corrections (JSON, optional)<br>"
            "<textarea name='corrections' rows='4' cols='70'></textarea></label></p>"
            "<button type='submit'>Approve</button></form>"
            f"<form method='post' action='/review/{wid}/reject'>{hidden}"
            "<p><label>Reason <input name='reason' size='50' required></label></p>"
            "<button type='submit'>Reject</button></form>"
        )
    return "".join(parts)


def _ticket_detail(state: TriageState, reviewer: str, token: str, note: str) -> str:
    """A ticket waiting for review: what the customer wrote, what the classifier said and
    why it needs a person, and the confirm / correct forms."""
    ticket = state.event.ticket
    parts = [f"<p>{_e(note)}</p>" if note else ""]
    parts.append(f"<p><b>Status:</b> {_e(state.status)} - {_e(state.status_reason)}</p>")
    rows: list[tuple[str, object]] = [
        ("Ticket", ticket.id),
        ("Customer", f"{state.event.customer.id} ({state.event.customer.plan})"),
        ("Subject", ticket.subject),
        ("Body", ticket.body),
    ]
    if state.classification is not None:
        c = state.classification.classification
        rows += [
            ("Category", c.category),
            ("Urgency", c.urgency),
            ("Confidence", f"{c.confidence:.2f}"),
            ("Classifier", state.classification.classifier.name),
            ("Reason", c.reason),
        ]
    parts.append(
        "<table>" + "".join(f"<tr><th>{k}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>"
    )
    parts.append(_decisions(state.decisions))
    if state.status == "awaiting_approval":
        wid = _e(state.workflow_id)
        hidden = f"<input type='hidden' name='form_token' value='{_e(token)}'>"

        def select(name: str, options: tuple[str, ...]) -> str:
            return (
                f"<select name='{name}'>"
                + "".join(f"<option value='{o}'>{o.replace('_', ' ')}</option>" for o in options)
                + "</select>"
            )

        parts.append(
            f"<h2>Decide as {_e(reviewer)}</h2>"
            f"<form method='post' action='/review/{wid}/confirm'>{hidden}"
            "<button type='submit'>Confirm</button></form>"
            f"<form method='post' action='/review/{wid}/correct'>{hidden}"
            f"<p><label>Category {select('category', CATEGORIES)}</label> "
            f"<label>Urgency {select('urgency', URGENCIES)}</label></p>"
            "<p><label>Reason <input name='reason' size='50' required></label></p>"
            "<button type='submit'>Correct</button></form>"
        )
    return "".join(parts)


def review_routes(
    get_client: ClientGetter,
    env: Mapping[str, str],
    identity: GatewayIdentity,
    clock: Callable[[], float] = time.monotonic,
) -> list[Route]:
    tokens = parse_review_tokens(env.get(TOKENS_ENV, ""))
    if not tokens:
        return []
    throttle = SignInThrottle(clock)

    def signed_in(request: Request) -> str | Response:
        address = request.client.host if request.client else "unknown"
        if throttle.blocked(address):
            return Response("too many failed sign-ins; try again later", status_code=429)
        reviewer = _reviewer(request, tokens)
        if reviewer is None:
            if request.headers.get("authorization"):
                throttle.failed(address)
            return _challenge()
        return reviewer

    # Notes shown after a decision are signed, so a crafted link cannot make the page
    # claim an outcome the workflow never gave.
    note_key = os.urandom(32)

    def note_signature(note: str) -> str:
        return hmac.new(note_key, note.encode(), hashlib.sha256).hexdigest()

    async def query_state(workflow_id: str, prefix: str, state_type: type[S]) -> S | None:
        if not workflow_id.startswith(prefix):
            return None
        client = await get_client()
        try:
            state: S = await client.get_workflow_handle(workflow_id).query(
                "status", result_type=state_type
            )
        except RPCError:
            return None
        return state

    async def state_of(workflow_id: str) -> InvoiceState | None:
        return await query_state(workflow_id, WORKFLOW_ID_PREFIX, InvoiceState)

    async def ticket_of(workflow_id: str) -> TriageState | None:
        return await query_state(workflow_id, TICKET_ID_PREFIX, TriageState)

    async def index(request: Request) -> Response:
        reviewer = signed_in(request)
        if isinstance(reviewer, Response):
            return reviewer
        client = await get_client()
        rows = []
        query = "WorkflowType = 'InvoiceWorkflow' AND VouchflowStatus = 'awaiting_approval'"
        async for wf in client.list_workflows(query, limit=200):
            state = await state_of(wf.id)
            if state is None or state.status != "awaiting_approval":
                continue
            inv = state.assessment.invoice if state.assessment else None
            reasons = "; ".join(state.assessment.decision.reasons) if state.assessment else ""
            rows.append(
                f"<tr><td><a href='/review/{_e(wf.id)}'>{_e(wf.id)}</a></td>"
                f"<td>{_e(inv.supplier_name if inv else '')}</td>"
                f"<td>{_e(inv.invoice_number if inv else '')}</td><td>{_e(state.total_text())}</td>"
                f"<td>{_e(reasons)}</td></tr>"
            )
        table = (
            "<table><tr><th>Workflow</th><th>Supplier</th><th>Number</th><th>Total</th>"
            "<th>Why</th></tr>" + "".join(rows) + "</table>"
            if rows
            else "<p>Nothing is waiting for approval.</p>"
        )
        tickets = []
        query = "WorkflowType = 'TriageWorkflow' AND VouchflowStatus = 'awaiting_approval'"
        async for wf in client.list_workflows(query, limit=200):
            ticket = await ticket_of(wf.id)
            if ticket is None or ticket.status != "awaiting_approval":
                continue
            shown = ticket.classification.classification if ticket.classification else None
            tickets.append(
                f"<tr><td><a href='/review/{_e(wf.id)}'>{_e(wf.id)}</a></td>"
                f"<td>{_e(ticket.event.ticket.subject)}</td>"
                f"<td>{_e(shown.category if shown else '')}</td>"
                f"<td>{_e(shown.urgency if shown else '')}</td>"
                f"<td>{_e(ticket.status_reason)}</td></tr>"
            )
        if tickets:
            table += (
                f"<h2>Tickets awaiting review ({len(tickets)})</h2>"
                "<table><tr><th>Workflow</th><th>Subject</th><th>Category</th><th>Urgency</th>"
                "<th>Why</th></tr>" + "".join(tickets) + "</table>"
            )
        return _page(f"Awaiting approval ({len(rows)}) - signed in as {reviewer}", table)

    async def detail(request: Request) -> Response:
        reviewer = signed_in(request)
        if isinstance(reviewer, Response):
            return reviewer
        workflow_id = request.path_params["workflow_id"]
        token = form_token(tokens[reviewer], reviewer, workflow_id)
        note = request.query_params.get("note", "")
        if not hmac.compare_digest(request.query_params.get("sig", ""), note_signature(note)):
            note = ""
        ticket = await ticket_of(workflow_id)
        if ticket is not None:
            return _page(
                f"Ticket {ticket.event.ticket.id}", _ticket_detail(ticket, reviewer, token, note)
            )
        state = await state_of(workflow_id)
        if state is None:
            return _page("Not found", f"<p>No workflow {_e(workflow_id)}.</p>")
        return _page(f"Invoice {workflow_id}", _detail(state, reviewer, token, note))

    async def decide(request: Request) -> Response:
        reviewer = signed_in(request)
        if isinstance(reviewer, Response):
            return reviewer
        workflow_id = request.path_params["workflow_id"]
        action = request.path_params["action"]
        is_ticket = workflow_id.startswith(TICKET_ID_PREFIX)
        if action not in (TICKET_ACTIONS if is_ticket else INVOICE_ACTIONS):
            return Response("unknown action", status_code=404)
        form = await request.form()
        expected = form_token(tokens[reviewer], reviewer, workflow_id)
        if not hmac.compare_digest(str(form.get("form_token", "")), expected):
            return Response("the form is stale or was not served by this page", status_code=403)
        if is_ticket:
            return await decide_ticket(reviewer, workflow_id, action, form)
        state = await state_of(workflow_id)
        if state is None:
            return _page("Not found", f"<p>No invoice workflow {_e(workflow_id)}.</p>")
        corrections: dict[str, Any] | None = None
        if action == "approve":
            raw = str(form.get("corrections", "")).strip()
            try:
                corrections = json.loads(raw) if raw else None
            except json.JSONDecodeError as err:
                return _page("Corrections are not JSON", f"<p>{_e(err)}</p>")
            if corrections is not None and not isinstance(corrections, dict):
                return _page("Corrections are not JSON", "<p>Give a JSON object.</p>")
        request_ = DecisionRequest(
            kind="approve" if action == "approve" else "reject",
            token=identity.token(
                person=reviewer, workflow_id=workflow_id, action=action, channel="review-page"
            ),
            comment=str(form.get("comment", ""))[:MAX_TEXT] if action == "approve" else "",
            reason=(
                ""
                if action == "approve"
                else (str(form.get("reason", "")) or "rejected on the review page")[:MAX_TEXT]
            ),
            corrections=corrections,
            channel="review-page",
        )
        return await deliver(workflow_id, action, request_)

    async def decide_ticket(
        reviewer: str, workflow_id: str, action: str, form: Mapping[str, Any]
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
        category, urgency = str(form.get("category", "")), str(form.get("urgency", ""))
        if category not in CATEGORIES or urgency not in URGENCIES:
            return _page("Not a correction", "<p>Choose a category and an urgency.</p>")
        return await deliver(
            workflow_id,
            action,
            TriageDecisionRequest(
                kind="correct",
                token=token,
                category=category,
                urgency=urgency,
                reason=(str(form.get("reason", "")) or "corrected on the review page")[:MAX_TEXT],
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
        Route("/review", index, methods=["GET"]),
        Route("/review/{workflow_id}", detail, methods=["GET"]),
        Route("/review/{workflow_id}/{action}", decide, methods=["POST"]),
    ]
