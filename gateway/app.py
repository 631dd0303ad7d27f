"""The HTTP gateway: Slack button clicks and the invoice intake webhook.

    POST /slack/interactions   signed Slack callback -> approve/reject signal (answers at once)
    POST /invoices             authenticated upload -> blob store + workflow (idempotent)
    GET  /invoices/{id}        the workflow's status (InvoiceState JSON)
    GET  /healthz              liveness, with Temporal reachability

The gateway decides nothing: it authenticates, translates, and hands over to the
workflow, which applies the approval rules and refuses a second decision.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import mimetypes
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs

import structlog
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from documents.blobs import BlobStore, LocalBlobStore
from gateway.auth import intake_authorized
from gateway.codec_server import codec_routes
from gateway.config import GatewaySecrets, GatewaySettings
from gateway.review import review_routes
from notifiers.slack import SlackSettings
from notifiers.slack_blocks import APPROVE_ACTION, REJECT_ACTION
from notifiers.slack_signature import verify_slack_signature
from runtime.client import connect
from runtime.codec import codec_from_env
from runtime.submit import submit_document
from schemas.decisions import ApproveSignal, RejectSignal
from schemas.workflow import InvoiceState
from settings import Settings

ClientFactory = Callable[[], Awaitable[Client]]

log = structlog.get_logger("vouchflow.gateway")

# Slack's interactivity payloads carry the whole message; anything bigger is not Slack.
SLACK_MAX_BODY = 1_000_000
# Multipart framing around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
_WORKFLOW_ID = re.compile(r"^invoice-[0-9a-f]{8,64}$")
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSIONS = {"application/pdf": ".pdf", "text/plain": ".txt", "application/xml": ".xml"}
NOT_MAPPED = (
    "You are not mapped to a vouchflow reviewer, so nothing was recorded. "
    "Ask an administrator to add your Slack user id to [slack.reviewers]."
)


class _TooLarge(Exception):
    pass


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
    reviewers = SlackSettings.from_integrations(settings.integrations).reviewers
    store = blobs or LocalBlobStore(settings.blob_dir)

    async def default_factory() -> Client:
        return await connect(settings)

    temporal = _Temporal(client_factory or default_factory)

    # ---- Slack -----------------------------------------------------------------------------

    async def slack_interactions(request: Request) -> Response:
        if not secrets.slack_signing_secret:
            return _error(503, "Slack interactivity is not configured")
        try:
            body = await _read_capped(request, SLACK_MAX_BODY)
        except _TooLarge:
            return _error(413, "request too large")
        verified = verify_slack_signature(
            secrets.slack_signing_secret,
            request.headers.get("x-slack-request-timestamp", ""),
            body,
            request.headers.get("x-slack-signature", ""),
            now=clock(),
        )
        if not verified:
            log.warning("slack request refused: bad or stale signature")
            return _error(401, "invalid Slack signature")
        click = _parse_click(body)
        if click is None:
            return _error(400, "not a block_actions payload with an approve/reject action")
        action, workflow_id, user_id = click
        reviewer = reviewers.get(user_id)
        if reviewer is None:
            log.warning("slack click from an unmapped user", slack_user=user_id)
            return _ephemeral(NOT_MAPPED)
        signal: ApproveSignal | RejectSignal
        if action == APPROVE_ACTION:
            signal = ApproveSignal(reviewer=reviewer, channel="slack")
        else:
            signal = RejectSignal(reviewer=reviewer, reason="rejected in Slack", channel="slack")

        async def deliver() -> None:
            client = await temporal.client()
            await client.get_workflow_handle(workflow_id).signal(
                action, signal, rpc_timeout=dt.timedelta(seconds=gateway.signal_timeout_s)
            )

        try:
            # Slack wants an answer within 3 seconds, connecting included; the workflow
            # records the outcome and updates the message itself.
            await asyncio.wait_for(deliver(), gateway.signal_timeout_s)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return _ephemeral("This invoice is no longer waiting for a decision.")
            log.error("slack decision not delivered", workflow_id=workflow_id, error=str(err))
            return _ephemeral("Could not record your decision right now; please try again.")
        except (TimeoutError, OSError, RuntimeError) as err:
            log.error(
                "slack decision not delivered", workflow_id=workflow_id, error=type(err).__name__
            )
            return _ephemeral("Could not record your decision right now; please try again.")
        log.info(
            "slack decision signalled", workflow_id=workflow_id, action=action, reviewer=reviewer
        )
        verb = "Approval" if action == APPROVE_ACTION else "Rejection"
        return _ephemeral(f"{verb} by {reviewer} sent; the message updates once it is recorded.")

    # ---- intake ----------------------------------------------------------------------------

    def authorized(request: Request, signed: bytes) -> bool:
        return intake_authorized(
            gateway,
            secrets,
            authorization=request.headers.get("authorization"),
            signature=request.headers.get(gateway.hmac_header),
            signed=signed,
        )

    async def intake(request: Request) -> Response:
        if not secrets.intake_secret(gateway):
            return _error(503, "intake authentication is not configured")
        # A bearer token is checked before a single body byte is read.
        if gateway.intake_auth == "bearer" and not authorized(request, b""):
            return _error(401, "unauthorized")
        cap = settings.intake.max_file_bytes
        multipart = (
            request.headers.get("content-type", "").lower().startswith("multipart/form-data")
        )
        body_cap = cap + MULTIPART_OVERHEAD if multipart else cap
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > body_cap:
            return _too_large(cap)
        try:
            body = await _read_capped(request, body_cap)
        except _TooLarge:
            return _too_large(cap)
        if gateway.intake_auth == "hmac" and not authorized(request, body):
            return _error(401, "unauthorized")
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
            return _too_large(cap)
        if not data:
            return _error(400, "empty document")
        content_type = _media_type(content_type)
        filename = _safe_filename(filename, content_type)
        try:
            client = await temporal.client()
            submission = await submit_document(
                client,
                settings,
                store,
                data,
                filename=filename,
                source="webhook",
                submitted_by=gateway.submitted_by,
                content_type=content_type,
            )
        except (RPCError, RuntimeError, OSError) as err:
            log.error("intake could not start the workflow", error=type(err).__name__)
            return _error(503, "the workflow service is unavailable; retry later")
        log.info(
            "invoice received",
            workflow_id=submission.workflow_id,
            started=submission.started,
            size_bytes=len(data),
        )
        return JSONResponse(
            {
                "workflow_id": submission.workflow_id,
                "status_url": str(
                    request.url_for("invoice_status", workflow_id=submission.workflow_id)
                ),
                "document_sha256": submission.document_sha256,
                "started": submission.started,
            },
            status_code=202 if submission.started else 200,
        )

    async def invoice_status(request: Request) -> Response:
        if not secrets.intake_secret(gateway):
            return _error(503, "intake authentication is not configured")
        if not authorized(request, request.url.path.encode()):
            return _error(401, "unauthorized")
        workflow_id = request.path_params["workflow_id"]
        if not _WORKFLOW_ID.match(workflow_id):
            return _error(404, "no such invoice workflow")
        try:
            client = await temporal.client()
            state = await _invoice_state(
                client.get_workflow_handle(workflow_id, result_type=InvoiceState)
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return _error(404, "no such invoice workflow")
            return _error(503, "the workflow service is unavailable; retry later")
        except (RuntimeError, OSError):
            return _error(503, "the workflow service is unavailable; retry later")
        if state is None:
            return _error(409, "the workflow ended without a result (terminated or failed)")
        return JSONResponse(state.model_dump(mode="json"))

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
                "intake_configured": bool(secrets.intake_secret(gateway)),
                "slack_configured": bool(secrets.slack_signing_secret),
            }
        )

    codec = codec_from_env(env)
    return Starlette(
        routes=[
            *(codec_routes(codec, env) if codec is not None else []),
            *review_routes(temporal.client, env),
            Route("/slack/interactions", slack_interactions, methods=["POST"]),
            Route("/invoices", intake, methods=["POST"]),
            Route(
                "/invoices/{workflow_id}", invoice_status, methods=["GET"], name="invoice_status"
            ),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


# ---- helpers ---------------------------------------------------------------------------------


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _too_large(cap: int) -> JSONResponse:
    return _error(413, f"document above the {cap:,}-byte limit")


def _ephemeral(text: str) -> JSONResponse:
    # Slack shows this only to the person who clicked; the message itself is left alone.
    return JSONResponse({"response_type": "ephemeral", "replace_original": False, "text": text})


async def _read_capped(request: Request, cap: int) -> bytes:
    """The body, refused as soon as it passes `cap` (a huge upload is never buffered)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_click(body: bytes) -> tuple[str, str, str] | None:
    """(action_id, workflow id, Slack user id) from a block_actions callback, else None."""
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True)
        payload = json.loads(fields["payload"][0])
        if payload.get("type") != "block_actions":
            return None
        action = payload["actions"][0]
        action_id, value = str(action["action_id"]), str(action["value"])
        user_id = str(payload["user"]["id"])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    if action_id not in (APPROVE_ACTION, REJECT_ACTION) or not _WORKFLOW_ID.match(value):
        return None
    return action_id, value, user_id


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
    cleaned = _UNSAFE_FILENAME.sub("", PurePosixPath(name.replace("\\", "/")).name).strip()
    cleaned = cleaned[:200]
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
