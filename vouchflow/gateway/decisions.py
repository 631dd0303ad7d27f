"""How the gateway vouches for the people it authenticated.

The gateway holds its own service credential (`identity/services/gateway.pem`,
created on first start and trusted for the slack, review-page and webhook channels).
After Slack's signature and user mapping, or the review page's sign-in, it signs a
short-lived token for that person, bound to the workflow id and the action, and
hands the decision to the workflow through the `decide` update. The workflow checks
the token and its own policy; the gateway decides nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import structlog
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.decisions import DecisionReply, DecisionRequest
from schemas.triage.decisions import TriageDecisionRequest
from vouchflow.identity.keys import ensure_service, load_private_key
from vouchflow.identity.tokens import mint_decision_token

log = structlog.get_logger("vouchflow.gateway")

SERVICE = "gateway"
CHANNELS = ["slack", "review-page", "webhook"]
# Long enough for a person to click, short enough that a leaked one is soon worthless.
TOKEN_TTL = dt.timedelta(minutes=5)
UPDATE_NAME = "decide"

ClientGetter = Callable[[], Awaitable[Client]]


class GatewayIdentity:
    """The gateway's signing key, created and trusted on first use."""

    def __init__(self, home: Path) -> None:
        self._key = load_private_key(ensure_service(home, SERVICE, CHANNELS))

    def token(self, *, person: str, workflow_id: str, action: str, channel: str) -> str:
        return mint_decision_token(
            self._key,
            issuer=SERVICE,
            person=person,
            workflow_id=workflow_id,
            action=action,
            channel=channel,
            ttl=TOKEN_TTL,
        )


class DecisionNotDelivered(Exception):
    """The workflow could not be reached or refused to take the update; `gone` when it
    no longer exists or has finished, `refused` when it turned the request away (the
    message says why)."""

    def __init__(self, message: str, *, gone: bool = False, refused: bool = False) -> None:
        super().__init__(message)
        self.gone = gone
        self.refused = refused


def update_id(request: DecisionRequest | TriageDecisionRequest) -> str:
    # One id per token: a retried delivery of the same decision is one update in history.
    return "decide-" + hashlib.sha256(request.token.encode()).hexdigest()[:32]


async def deliver_decision(
    get_client: ClientGetter,
    workflow_id: str,
    request: DecisionRequest | TriageDecisionRequest,
    *,
    rpc_timeout: dt.timedelta | None = None,
) -> DecisionReply:
    """Send the decision and wait for the workflow's answer."""
    try:
        client = await get_client()
        handle = client.get_workflow_handle(workflow_id)
        return await handle.execute_update(
            UPDATE_NAME,
            request,
            id=update_id(request),
            result_type=DecisionReply,
            rpc_timeout=rpc_timeout,
        )
    except WorkflowUpdateFailedError as err:
        cause = err.cause or err
        message = getattr(cause, "message", None) or str(cause)
        raise DecisionNotDelivered(
            f"the workflow refused the request: {message}", refused=True
        ) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise DecisionNotDelivered("the workflow is no longer running", gone=True) from None
        raise DecisionNotDelivered(f"the workflow service answered {err.status.name}") from None
    except (OSError, RuntimeError) as err:
        raise DecisionNotDelivered(
            f"the workflow service is unreachable ({type(err).__name__})"
        ) from None


class Background:
    """Decisions still on their way after the caller was answered (Slack's 3 seconds).

    Tasks are kept referenced until they end so none is garbage-collected mid-flight,
    and each outcome is logged."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[DecisionReply]] = set()

    def keep(self, task: asyncio.Task[DecisionReply], workflow_id: str) -> None:
        self._tasks.add(task)

        def done(finished: asyncio.Task[DecisionReply]) -> None:
            self._tasks.discard(finished)
            if finished.cancelled():
                return
            err = finished.exception()
            if err is not None:
                log.error("decision not delivered", workflow_id=workflow_id, error=str(err))
                return
            reply = finished.result()
            log.info(
                "decision delivered late",
                workflow_id=workflow_id,
                kind=reply.kind,
                accepted=reply.accepted,
                actor=reply.actor,
            )

        task.add_done_callback(done)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._tasks)
