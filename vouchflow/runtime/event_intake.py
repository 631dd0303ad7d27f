"""Starting a workflow from a typed event, the same way for every event-driven workflow
(triage, tier changes): the event is validated into its model, the workflow id derives
from the event id, and a second delivery of the same event starts nothing (it attaches
to the running workflow, or is refused by the closed one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.common.decision_intake import validation_summary

E = TypeVar("E", bound=BaseModel)
# Temporal shows a run's summary in lists: kept short whatever the event holds.
MAX_SUMMARY_CHARS = 200


def parse_event(model: type[E], name: str, data: Any) -> E:
    """The typed event, or ValueError with a one-line reason."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ValueError(f"not a {name} event: {validation_summary(err)}") from None


def json_files(path: Path) -> list[Path]:
    """The file named, or the *.json files directly in a folder, in name order."""
    return sorted(p for p in path.glob("*.json") if p.is_file()) if path.is_dir() else [path]


async def workflow_exists(client: Client, workflow_id: str) -> bool:
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def start_new(
    client: Client,
    workflow_type: str,
    arg: Any,
    *,
    workflow_id: str,
    task_queue: str,
    summary: str,
    memo: dict[str, Any] | None = None,
) -> bool:
    """Start the workflow unless one with this id exists: False when it does (checked
    first, since attaching to a running one raises nothing)."""
    if await workflow_exists(client, workflow_id):
        return False
    try:
        await client.start_workflow(
            workflow_type,
            arg,
            id=workflow_id,
            task_queue=task_queue,
            # Same event again while it runs: attach, never a second set of effects.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            # ...and after it ended: refused, so a late redelivery starts nothing.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=summary[:MAX_SUMMARY_CHARS],
            memo=memo,
        )
    except WorkflowAlreadyStartedError:
        return False
    return True
