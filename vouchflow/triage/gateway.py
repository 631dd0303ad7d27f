"""The gateway's triage webhook: authenticated ticket events in, workflows out.

    POST /tickets                 a support_ticket.created.v1 event (JSON)
                                  -> 202 started | 200 already received (same event_id)
                                  | 409 same event_id, different content (first stands)
    GET  /tickets/{workflow_id}   the triage workflow's state

Clients authenticate exactly as for the invoice intake (gateway/webhook.py: a bearer
token, or an HMAC-SHA256 of the raw body, per client). A bearer token is checked
before the body is read; the body is capped before it is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.service import RPCError

from schemas.triage.state import TriageState
from vouchflow.gateway.config import ClientSecret
from vouchflow.gateway.webhook import (
    UNAVAILABLE,
    WebhookClients,
    answers_refusals,
    reading_workflow,
)
from vouchflow.gateway.webhook import error as _error
from vouchflow.stores.redact import scrub_value
from vouchflow.triage.intake import (
    MAX_EVENT_BYTES,
    SUBMITTED_BY,
    parse_event_bytes,
    start_triage,
)

log = structlog.get_logger("vouchflow.gateway.triage")
_WORKFLOW_ID = re.compile(r"^triage-[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
ClientGetter = Callable[[], Awaitable[Client]]
TOO_LARGE = f"an event is at most {MAX_EVENT_BYTES} bytes"
NO_TICKET = "no such triage workflow"


def triage_routes(
    *,
    clients: Sequence[ClientSecret],
    hmac_header: str,
    temporal: ClientGetter,
    task_queue: str,
) -> list[Route]:
    webhook = WebhookClients(clients, hmac_header)

    @answers_refusals
    async def receive(request: Request) -> Response:
        received = await webhook.receive(request, cap=MAX_EVENT_BYTES, too_large=TOO_LARGE)
        client_id = received.client_id
        try:
            event = parse_event_bytes(received.body)
        except ValueError as err:
            return _error(400, str(err)[:500])
        try:
            submission = await start_triage(
                await temporal(), task_queue, event, submitted_by=client_id
            )
        except (RPCError, RuntimeError, OSError) as err:
            log.error("triage intake could not start the workflow", error=type(err).__name__)
            return _error(503, UNAVAILABLE)
        if submission.conflict:
            return JSONResponse(
                {
                    **submission.model_dump(mode="json"),
                    "error": "this event_id was already delivered with different content;"
                    " the first delivery stands",
                },
                status_code=409,
            )
        log.info(
            "ticket received",
            workflow_id=submission.workflow_id,
            started=submission.started,
            client=client_id,
        )
        return JSONResponse(
            {
                **submission.model_dump(mode="json"),
                "status_url": str(
                    request.url_for("ticket_status", workflow_id=submission.workflow_id)
                ),
                "submitted_by": client_id,
            },
            status_code=202 if submission.started else 200,
        )

    @answers_refusals
    async def status(request: Request) -> Response:
        client_id = webhook.reader(request)
        workflow_id = request.path_params["workflow_id"]
        if not _WORKFLOW_ID.match(workflow_id):
            return _error(404, NO_TICKET)
        with reading_workflow(not_found=NO_TICKET):
            client = await temporal()
            handle = client.get_workflow_handle(workflow_id)
            described = await handle.describe()
            if (await described.memo()).get(SUBMITTED_BY) != client_id:
                # Another client's ticket, or one from the CLI: not this client's to read.
                return _error(404, NO_TICKET)
            state: Any = await handle.query("status", result_type=TriageState)
        return JSONResponse(scrub_value(state.model_dump(mode="json")))

    return [
        Route("/tickets", receive, methods=["POST"]),
        Route("/tickets/{workflow_id}", status, methods=["GET"], name="ticket_status"),
    ]
