"""The review page: approve or reject invoices from a browser.

Enabled when `VOUCHFLOW_REVIEW_TOKENS` lists reviewers as `id:token,id:token`. Reviewers
sign in with HTTP Basic auth (their approver id and token; serve the gateway over TLS in
production). Every form carries a token derived from the reviewer's secret and the
workflow id, so another site cannot make a signed-in browser approve anything (CSRF).
The page only *asks*: the workflow's own policy (approver list, limits, segregation of
duties, re-validated corrections) decides, exactly as for Slack or the CLI.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import html
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.service import RPCError

from schemas.decisions import ApproveSignal, RejectSignal
from schemas.workflow import InvoiceState

TOKENS_ENV = "VOUCHFLOW_REVIEW_TOKENS"
WORKFLOW_ID_PREFIX = "invoice-"
ClientGetter = Callable[[], Awaitable[Client]]


def parse_review_tokens(raw: str) -> dict[str, str]:
    tokens: dict[str, str] = {}
    for item in raw.split(","):
        reviewer, sep, token = item.strip().partition(":")
        if sep and reviewer and token:
            tokens[reviewer] = token
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
        reviewer, _, token = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    expected = tokens.get(reviewer)
    if expected is None or not hmac.compare_digest(expected.encode(), token.encode()):
        return None
    return reviewer


def _challenge() -> Response:
    return Response(
        "sign in with your approver id and review token",
        status_code=401,
        headers={"WWW-Authenticate": 'Basic realm="vouchflow review"'},
    )


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "text-align:left}.refused{color:#a00}.accepted{color:#070}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


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
    if state.decisions:
        parts.append("<h2>Decisions</h2><ul>")
        for d in state.decisions:
            css = "accepted" if d.accepted else "refused"
            verdict = "accepted" if d.accepted else "refused"
            parts.append(
                f"<li class='{css}'>{_e(d.kind)} by {_e(d.actor)} ({_e(d.channel)}): "
                f"{verdict} - {_e(d.reason)}</li>"
            )
        parts.append("</ul>")
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


def review_routes(get_client: ClientGetter, env: Mapping[str, str]) -> list[Route]:
    tokens = parse_review_tokens(env.get(TOKENS_ENV, ""))
    if not tokens:
        return []

    async def state_of(workflow_id: str) -> InvoiceState | None:
        if not workflow_id.startswith(WORKFLOW_ID_PREFIX):
            return None
        client = await get_client()
        try:
            return await client.get_workflow_handle(workflow_id).query(
                "status", result_type=InvoiceState
            )
        except RPCError:
            return None

    async def index(request: Request) -> Response:
        reviewer = _reviewer(request, tokens)
        if reviewer is None:
            return _challenge()
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
        return _page(f"Awaiting approval ({len(rows)}) - signed in as {reviewer}", table)

    async def detail(request: Request) -> Response:
        reviewer = _reviewer(request, tokens)
        if reviewer is None:
            return _challenge()
        workflow_id = request.path_params["workflow_id"]
        state = await state_of(workflow_id)
        if state is None:
            return _page("Not found", f"<p>No invoice workflow {_e(workflow_id)}.</p>")
        token = form_token(tokens[reviewer], reviewer, workflow_id)
        note = request.query_params.get("note", "")
        return _page(f"Invoice {workflow_id}", _detail(state, reviewer, token, note))

    async def decide(request: Request) -> Response:
        reviewer = _reviewer(request, tokens)
        if reviewer is None:
            return _challenge()
        workflow_id = request.path_params["workflow_id"]
        action = request.path_params["action"]
        if action not in ("approve", "reject"):
            return Response("unknown action", status_code=404)
        form = await request.form()
        expected = form_token(tokens[reviewer], reviewer, workflow_id)
        if not hmac.compare_digest(str(form.get("form_token", "")), expected):
            return Response("the form is stale or was not served by this page", status_code=403)
        state = await state_of(workflow_id)
        if state is None:
            return _page("Not found", f"<p>No invoice workflow {_e(workflow_id)}.</p>")
        signal: ApproveSignal | RejectSignal
        if action == "approve":
            raw = str(form.get("corrections", "")).strip()
            try:
                corrections: dict[str, Any] | None = json.loads(raw) if raw else None
            except json.JSONDecodeError as err:
                return _page("Corrections are not JSON", f"<p>{_e(err)}</p>")
            signal = ApproveSignal(
                reviewer=reviewer,
                comment=str(form.get("comment", "")),
                corrections=corrections,
                channel="review-page",
            )
        else:
            signal = RejectSignal(
                reviewer=reviewer,
                reason=str(form.get("reason", "")) or "rejected on the review page",
                channel="review-page",
            )
        client = await get_client()
        await client.get_workflow_handle(workflow_id).signal(action, signal)
        note = await _outcome(state_of, workflow_id, len(state.decisions), reviewer)
        return RedirectResponse(f"/review/{workflow_id}?note={note}", status_code=303)

    return [
        Route("/review", index, methods=["GET"]),
        Route("/review/{workflow_id}", detail, methods=["GET"]),
        Route("/review/{workflow_id}/{action}", decide, methods=["POST"]),
    ]


async def _outcome(
    state_of: Callable[[str], Awaitable[InvoiceState | None]],
    workflow_id: str,
    before: int,
    reviewer: str,
) -> str:
    """Signals have no reply: wait briefly for the workflow's record of this decision."""
    from urllib.parse import quote

    for _ in range(20):
        state = await state_of(workflow_id)
        record = state.new_decision_by(before, reviewer) if state is not None else None
        if record is not None:
            verdict = "accepted" if record.accepted else "REFUSED"
            return quote(f"Your {record.kind}: {verdict} - {record.reason}")
        await asyncio.sleep(0.1)
    return quote("Your decision was sent; refresh to see what the workflow made of it.")
