"""The HTTP gateway: Slack button clicks, the invoice intake webhook, the review page.

    POST /slack/interactions   signed Slack callback -> `decide` update (answers within 3 s)
    POST /invoices             authenticated upload -> blob store + workflow (idempotent)
    POST /tickets              authenticated support_ticket.created.v1 event -> triage workflow
    GET  /invoices/{id}        the status of a workflow this client submitted (InvoiceState)
    GET  /review...            the review page (see gateway/review.py)
    POST /codec/{decode,encode} remote codec for the Web UI (see gateway/codec_server.py)
    GET  /healthz              liveness, with Temporal reachability

The gateway decides nothing: it authenticates people and clients, vouches for them
with a short-lived token signed by its own key (gateway/decisions.py), and hands over
to the workflow, which checks the token, applies the approval rules and refuses a
second decision. Every response carries the security headers of gateway/security.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import mimetypes
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs

import structlog
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from schemas.common.decisions import DecisionReply, DecisionRequest
from schemas.invoice.workflow import InvoiceState
from schemas.triage.classification import CATEGORIES, URGENCIES
from schemas.triage.decisions import TriageDecisionRequest
from vouchflow.documents.blobs import BlobStore, LocalBlobStore
from vouchflow.gateway.codec_server import codec_routes
from vouchflow.gateway.config import GatewaySecrets, GatewaySettings
from vouchflow.gateway.decisions import (
    Background,
    DecisionNotDelivered,
    GatewayIdentity,
    deliver_decision,
)
from vouchflow.gateway.replay import ReplayGuard
from vouchflow.gateway.request_body import TooLarge, read_capped
from vouchflow.gateway.review import review_routes
from vouchflow.gateway.security import SecurityHeaders
from vouchflow.gateway.webhook import (
    UNAVAILABLE,
    WebhookClients,
    answers_refusals,
    reading_workflow,
)
from vouchflow.gateway.webhook import error as _error
from vouchflow.notifiers.slack import SlackSettings
from vouchflow.notifiers.slack_blocks import (
    APPROVE_ACTION,
    CONFIRM_ACTION,
    CORRECT_ACTION,
    CORRECT_BLOCK_PREFIX,
    REJECT_ACTION,
    escape,
)
from vouchflow.notifiers.slack_signature import verify_slack_signature
from vouchflow.runtime.client import connect
from vouchflow.runtime.codec import codec_from_env
from vouchflow.runtime.submit import submit_document
from vouchflow.settings import Settings
from vouchflow.stores.redact import clean_text, register_secret_values, scrub_value
from vouchflow.triage.gateway import triage_routes

ClientFactory = Callable[[], Awaitable[Client]]

log = structlog.get_logger("vouchflow.gateway")

# Slack's interactivity payloads carry the whole message; anything bigger is not Slack.
SLACK_MAX_BODY = 1_000_000
# Multipart framing around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
_WORKFLOW_ID = re.compile(r"^invoice-[0-9a-f]{8,64}$")
# Triage workflow ids: "triage-" + the event id (see schemas/triage/events.py).
_TICKET_ID = re.compile(r"^triage-[A-Za-z0-9._:-]{1,128}$")
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSIONS = {"application/pdf": ".pdf", "text/plain": ".txt", "application/xml": ".xml"}
NOT_MAPPED = (
    "You are not mapped to a vouchflow reviewer, so nothing was recorded. "
    "Ask an administrator to add your Slack user id to [slack.users]."
)
REPLAYED = "this Slack request was already received"
NO_INVOICE = "no such invoice workflow"


class _Temporal:
    """One client per app, connected on first use; a failed connect is retried next time."""

    def __init__(self, factory: ClientFactory) -> None:
        self._factory = factory
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await self._factory()
        return self._client


def create_app(
    settings: Settings,
    *,
    client_factory: ClientFactory | None = None,
    env: Mapping[str, str] = os.environ,
    blobs: BlobStore | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    gateway = GatewaySettings.from_integrations(settings.integrations)
    secrets = GatewaySecrets.from_env(gateway, env)
    # Client secrets may sit under any variable name: scrub them from every sink too.
    register_secret_values(c.secret for c in secrets.clients)
    register_secret_values([secrets.slack_signing_secret, secrets.codec_token])
    slack = SlackSettings.from_integrations(settings.integrations)
    store = blobs or LocalBlobStore(settings.blob_dir)
    identity = GatewayIdentity(settings.home)
    replays = ReplayGuard(settings.home / "gateway.sqlite3")
    background = Background()

    async def default_factory() -> Client:
        return await connect(settings)

    temporal = _Temporal(client_factory or default_factory)

    # ---- Slack -----------------------------------------------------------------------------

    async def slack_interactions(request: Request) -> Response:
        if not secrets.slack_signing_secret:
            return _error(503, "Slack interactivity is not configured")
        try:
            body = await read_capped(request, SLACK_MAX_BODY)
        except TooLarge:
            return _error(413, "request too large")
        signature = request.headers.get("x-slack-signature", "")
        now = clock()
        verified = verify_slack_signature(
            secrets.slack_signing_secret,
            request.headers.get("x-slack-request-timestamp", ""),
            body,
            signature,
            now=now,
        )
        if not verified:
            log.warning("slack request refused: bad or stale signature")
            return _error(401, "invalid Slack signature")
        if not await asyncio.to_thread(replays.first_time, signature, now):
            log.warning("slack request refused: replayed")
            return _error(409, REPLAYED)
        click = _parse_click(body)
        if click is None:
            return _error(400, "not a block_actions payload with one of our actions")
        workflow_id = click.workflow_id
        person = slack.person_for(click.user_id)
        if person is None:
            log.warning(
                "slack click from an unmapped user", slack_user=clean_text(click.user_id, 64)
            )
            return _ephemeral(NOT_MAPPED)
        decision = _slack_request(
            click,
            identity.token(
                person=person, workflow_id=workflow_id, action=click.action, channel="slack"
            ),
            person,
        )
        # Slack wants an answer within 3 seconds, connecting included. What does not
        # finish in time goes on in the background; the workflow updates the message.
        task = asyncio.ensure_future(deliver_decision(temporal.client, workflow_id, decision))
        done, _ = await asyncio.wait({task}, timeout=gateway.signal_timeout_s)
        if not done:
            background.keep(task, workflow_id)
            log.info("slack decision still being processed", workflow_id=workflow_id)
            return _ephemeral(
                f"Your {decision.kind} as {person} is being processed; "
                "the message updates once it is recorded."
            )
        try:
            reply = task.result()
        except DecisionNotDelivered as err:
            if err.gone:
                return _ephemeral("This is no longer waiting for a decision.")
            if err.refused:
                return _ephemeral(escape(clean_text(f"Not recorded: {err}", 500)))
            log.error("slack decision not delivered", workflow_id=workflow_id, error=str(err))
            return _ephemeral("Could not record your decision right now; please try again.")
        log.info(
            "slack decision",
            workflow_id=workflow_id,
            kind=reply.kind,
            accepted=reply.accepted,
            person=person,
        )
        return _ephemeral(_slack_reply(reply, person))

    # ---- intake ----------------------------------------------------------------------------

    webhook = WebhookClients(secrets.clients, gateway.hmac_header)

    @answers_refusals
    async def intake(request: Request) -> Response:
        cap = settings.intake.max_file_bytes
        multipart = (
            request.headers.get("content-type", "").lower().startswith("multipart/form-data")
        )
        body_cap = cap + MULTIPART_OVERHEAD if multipart else cap
        received = await webhook.receive(request, cap=body_cap, too_large=_too_large(cap))
        client_id, body = received.client_id, received.body
        if multipart:
            upload = await _file_part(request, body)
            if upload is None:
                return _error(400, "multipart upload without a file part")
            data, filename, content_type = upload
        else:
            data = body
            filename = request.headers.get(gateway.filename_header) or request.query_params.get(
                "filename", ""
            )
            content_type = request.headers.get("content-type")
        if len(data) > cap:
            return _error(413, _too_large(cap))
        if not data:
            return _error(400, "empty document")
        content_type = _media_type(content_type)
        filename = _safe_filename(filename, content_type)
        submitter = client_id

        def sign_submission(workflow_id: str) -> str:
            # The proof of who submitted is bound to the workflow this document starts.
            return identity.token(
                person=submitter, workflow_id=workflow_id, action="submit", channel="webhook"
            )

        try:
            client = await temporal.client()
            submission = await submit_document(
                client,
                settings,
                store,
                data,
                filename=filename,
                source="webhook",
                submitted_by=client_id,
                content_type=content_type,
                sign_submission=sign_submission,
            )
        except (RPCError, RuntimeError, OSError) as err:
            log.error("intake could not start the workflow", error=type(err).__name__)
            return _error(503, UNAVAILABLE)
        log.info(
            "invoice received",
            workflow_id=submission.workflow_id,
            started=submission.started,
            size_bytes=len(data),
            client=client_id,
        )
        return JSONResponse(
            {
                "workflow_id": submission.workflow_id,
                "status_url": str(
                    request.url_for("invoice_status", workflow_id=submission.workflow_id)
                ),
                "document_sha256": submission.document_sha256,
                "started": submission.started,
                "submitted_by": client_id,
            },
            status_code=202 if submission.started else 200,
        )

    @answers_refusals
    async def invoice_status(request: Request) -> Response:
        client_id = webhook.reader(request)
        workflow_id = request.path_params["workflow_id"]
        if not _WORKFLOW_ID.match(workflow_id):
            return _error(404, NO_INVOICE)
        with reading_workflow(not_found=NO_INVOICE):
            client = await temporal.client()
            state = await _invoice_state(
                client.get_workflow_handle(workflow_id, result_type=InvoiceState)
            )
        if state is None:
            return _error(409, "the workflow ended without a result (terminated or failed)")
        # A client sees what it submitted, nothing else (the same answer as for an
        # unknown id, so ids cannot be probed).
        if state.event.source != "webhook" or state.event.submitted_by != client_id:
            return _error(404, NO_INVOICE)
        # Whatever reached the state, no configured secret leaves through this answer.
        return JSONResponse(scrub_value(state.model_dump(mode="json")))

    async def healthz(request: Request) -> Response:
        reachable = False
        try:
            client = await asyncio.wait_for(temporal.client(), 3)
            reachable = await client.service_client.check_health(timeout=dt.timedelta(seconds=3))
        except Exception as err:  # health reports any failure as unreachable
            log.warning("temporal health check failed", error=type(err).__name__)
        return JSONResponse(
            {
                "status": "ok",
                "temporal": {"reachable": reachable},
                "intake_configured": secrets.intake_configured,
                "slack_configured": bool(secrets.slack_signing_secret),
            }
        )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        # Decisions still travelling to the workflow finish before the process exits.
        await background.drain()
        replays.close()

    codec = codec_from_env(env)
    app = Starlette(
        routes=[
            *(codec_routes(codec, secrets.codec_token, gateway, env) if codec is not None else []),
            *review_routes(
                temporal.client,
                env,
                identity,
                blobs=store,
                max_amount_minor=settings.validation.max_amount_minor,
            ),
            Route("/slack/interactions", slack_interactions, methods=["POST"]),
            Route("/invoices", intake, methods=["POST"]),
            *triage_routes(
                clients=secrets.clients,
                hmac_header=gateway.hmac_header,
                temporal=temporal.client,
                task_queue=settings.temporal.task_queue,
            ),
            Route(
                "/invoices/{workflow_id}", invoice_status, methods=["GET"], name="invoice_status"
            ),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
    )
    app.state.background = background
    return app


def _slack_reply(reply: DecisionReply, person: str) -> str:
    verb = {
        "approve": "Approval",
        "reject": "Rejection",
        "confirm": "Confirmation",
        "correct": "Correction",
    }.get(reply.kind, "Decision")
    reason = escape(clean_text(reply.reason, 500))
    if reply.accepted:
        return f"{verb} by {escape(person)} recorded: {reason}"
    return f"{verb} by {escape(person)} refused: {reason}"


# ---- helpers ---------------------------------------------------------------------------------


def _too_large(cap: int) -> str:
    return f"document above the {cap:,}-byte limit"


def _ephemeral(text: str) -> JSONResponse:
    # Slack shows this only to the person who clicked; the message itself is left alone.
    return JSONResponse({"response_type": "ephemeral", "replace_original": False, "text": text})


@dataclass(frozen=True)
class _Click:
    action: str
    workflow_id: str
    user_id: str
    # A ticket correction's menu choice: (category, urgency).
    choice: tuple[str, str] | None = None


def _parse_click(body: bytes) -> _Click | None:
    """A block_actions callback for one of our buttons or menus, else None."""
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True)
        payload = json.loads(fields["payload"][0])
        if payload.get("type") != "block_actions":
            return None
        action = payload["actions"][0]
        action_id = str(action["action_id"])
        user_id = str(payload["user"]["id"])
        if action_id == CORRECT_ACTION:
            block_id = str(action["block_id"])
            workflow_id = block_id.removeprefix(CORRECT_BLOCK_PREFIX)
            category, _, urgency = str(action["selected_option"]["value"]).partition(":")
            if (
                not block_id.startswith(CORRECT_BLOCK_PREFIX)
                or category not in CATEGORIES
                or urgency not in URGENCIES
            ):
                return None
            choice: tuple[str, str] | None = (category, urgency)
        else:
            workflow_id, choice = str(action["value"]), None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    # Invoice buttons act on invoices, ticket buttons on tickets, nothing else.
    valid = _TICKET_ID if action_id in (CONFIRM_ACTION, CORRECT_ACTION) else _WORKFLOW_ID
    if action_id not in _ACTIONS or not valid.match(workflow_id):
        return None
    return _Click(action_id, workflow_id, user_id, choice)


_ACTIONS = (APPROVE_ACTION, REJECT_ACTION, CONFIRM_ACTION, CORRECT_ACTION)


def _slack_request(
    click: _Click, token: str, person: str
) -> DecisionRequest | TriageDecisionRequest:
    """The `decide` update a click stands for (invoices: approve/reject; tickets:
    confirm, or correct to the chosen category and urgency)."""
    if click.action == CONFIRM_ACTION:
        return TriageDecisionRequest(kind="confirm", token=token, channel="slack")
    if click.action == CORRECT_ACTION:
        assert click.choice is not None
        category, urgency = click.choice
        return TriageDecisionRequest(
            kind="correct",
            token=token,
            category=category,
            urgency=urgency,
            reason=f"corrected in Slack by {person}",
            channel="slack",
        )
    return DecisionRequest(
        kind="approve" if click.action == APPROVE_ACTION else "reject",
        token=token,
        reason="" if click.action == APPROVE_ACTION else "rejected in Slack",
        channel="slack",
    )


async def _file_part(request: Request, body: bytes) -> tuple[bytes, str, str | None] | None:
    """The first file in a multipart body already read (and capped) by the caller."""
    replayed = False

    async def receive() -> Message:
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(request.scope, receive).form(max_files=1, max_fields=20) as form:
            uploads = [v for v in form.values() if isinstance(v, UploadFile)]
            if not uploads:
                return None
            upload = uploads[0]
            return await upload.read(), upload.filename or "", upload.content_type
    except Exception:  # a malformed multipart body is the sender's problem
        return None


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    main = content_type.split(";", 1)[0].strip().lower()
    # Generic types say nothing (curl --data-binary sends form-urlencoded): the reader
    # sniffs the bytes anyway.
    if main in ("", "application/octet-stream", "application/x-www-form-urlencoded"):
        return None
    return content_type.strip()


def _safe_filename(name: str, content_type: str | None) -> str:
    """A display name only (documents are stored by hash): no paths, no control bytes."""
    base = _UNSAFE_FILENAME.sub("", PurePosixPath(name.replace("\\", "/")).name)
    # Line separators, bidi overrides and zero-width characters go too: the name is shown
    # in notifications, emails and the Web UI.
    cleaned = clean_text(base, 200)
    if cleaned and cleaned not in (".", ".."):
        return cleaned
    main = (content_type or "").split(";", 1)[0].strip().lower()
    return "upload" + (_EXTENSIONS.get(main) or mimetypes.guess_extension(main) or "")


async def _invoice_state(handle: WorkflowHandle[Any, InvoiceState]) -> InvoiceState | None:
    """The live state (query) while running; the workflow's result once it completed."""
    description = await handle.describe()
    status = description.status
    if status == WorkflowExecutionStatus.COMPLETED:
        return await handle.result()
    try:
        return await handle.query(
            "status", result_type=InvoiceState, rpc_timeout=dt.timedelta(seconds=5)
        )
    except RPCError:
        if status != WorkflowExecutionStatus.RUNNING:
            return None
        raise
