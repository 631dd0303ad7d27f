"""What the command groups of the event-driven workflows (`triage`, `propose`) share:
connecting, reading a run's state, waiting until runs rest, sending one signed decision
through the workflow's `decide` update, and printing answers, decisions and follow-up
commands. Each group keeps its own words for its errors (raised as its own error type).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.decisions import DecisionReply
from vouchflow.settings import Settings

# How long a decision waits for the workflow's answer (a worker must be running).
DECISION_TIMEOUT_S = 60.0
EXIT_REFUSED = 3
POLL_S = 0.2


class RunState(Protocol):
    @property
    def status(self) -> str: ...


class Decided(Protocol):
    """One decision as a workflow's state lists it."""

    @property
    def kind(self) -> str: ...

    @property
    def actor(self) -> str: ...

    @property
    def accepted(self) -> bool: ...

    @property
    def reason(self) -> str: ...


class HasKind(Protocol):
    @property
    def kind(self) -> str: ...


S = TypeVar("S", bound=BaseModel)
R = TypeVar("R", bound=RunState)


async def connect(settings: Settings, error: type[Exception]) -> Client:
    from vouchflow.runtime.client import TemporalUnavailable
    from vouchflow.runtime.client import connect as connect_temporal

    try:
        return await connect_temporal(settings)
    except TemporalUnavailable as err:
        raise error(str(err)) from err


async def query_state(client: Client, workflow_id: str, state: type[S]) -> S | None:
    """The run's state from its `status` query; None when there is no such workflow."""
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    try:
        return await handle.query("status", result_type=state)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def wait_until_resting(
    fetch: Callable[[str], Awaitable[R | None]],
    workflow_ids: Sequence[str],
    *,
    resting: Iterable[str],
    timeout_s: float,
    error: type[Exception],
) -> list[R]:
    """Each run's state once it rests (ended, or waiting for a person or a date), or as
    it is at the deadline; a run not found by then is an `error`."""
    resting = frozenset(resting)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    states: list[R] = []
    for workflow_id in workflow_ids:
        while True:
            state = await fetch(workflow_id)
            if state is not None and (state.status in resting or loop.time() > deadline):
                states.append(state)
                break
            if loop.time() > deadline:
                raise error(f"{workflow_id}: no answer (is a worker running?)")
            await asyncio.sleep(POLL_S)
    return states


async def send_decision(
    client: Client, workflow_id: str, request: HasKind, person: str
) -> DecisionReply:
    """The workflow's answer to one decision; a decision the update's validator or the
    workflow failed is a refusal. TimeoutError after DECISION_TIMEOUT_S, and Temporal's
    own errors, are left to the command to word."""
    from vouchflow.runtime.errors import user_message

    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    try:
        return await asyncio.wait_for(
            handle.execute_update("decide", request, result_type=DecisionReply),
            timeout=DECISION_TIMEOUT_S,
        )
    except WorkflowUpdateFailedError as err:
        cause = err.cause if err.cause is not None else err
        return DecisionReply(
            kind=request.kind,
            accepted=False,
            actor=person,
            reason=user_message(cause),
            status="unchanged",
        )


def _line(text: str, **options: Any) -> None:
    from vouchflow.cli.render import console

    console.print(text, markup=False, highlight=False, **options)


def print_verdict(kind: str, workflow_id: str, reply: DecisionReply) -> int:
    """One line for the workflow's answer; the exit code (refused: EXIT_REFUSED)."""
    verdict = "accepted" if reply.accepted else "REFUSED"
    _line(f"{kind} {verdict} for {workflow_id} by {reply.actor}: {reply.reason}")
    return 0 if reply.accepted else EXIT_REFUSED


def print_decisions(decisions: Iterable[Decided]) -> None:
    for decision in decisions:
        verdict = "accepted" if decision.accepted else "refused"
        _line(f"- {decision.kind} by {decision.actor} {verdict}: {decision.reason}")


def print_refused(lines: Iterable[str]) -> None:
    for line in lines:
        _line(f"refused {line}")


def print_json(state: BaseModel) -> None:
    print(json.dumps(state.model_dump(mode="json"), indent=2))


def demo_approver(settings: Settings) -> str:
    """Who the demo's printed commands decide as: the first configured approver."""
    return settings.approval.approvers[0].id if settings.approval.approvers else "alice"


def print_commands(header: str, commands: Iterable[str]) -> None:
    """Commands to copy: indented, never folded by the console."""
    from vouchflow.cli.render import console

    console.print(header)
    for command in commands:
        _line(f"  {command}", soft_wrap=True)
