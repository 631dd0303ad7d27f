"""Starting triage workflows from `support_ticket.created` v1 events.

Shared by the CLI, the gateway's webhook, the demo and tests. The workflow id derives
from the event id: a second delivery of the same event attaches to the running
workflow (or is refused by the closed one) and starts nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from schemas.triage.events import EVENT_NAME, TicketCreatedV1, triage_workflow_id
from schemas.triage.state import TriageWorkflowInput
from vouchflow.runtime.event_intake import json_files, start_new
from vouchflow.runtime.event_intake import parse_event as parse_typed_event

WORKFLOW_TYPE = "TriageWorkflow"
SUBMITTED_BY = "vouchflow_submitted_by"
# A ticket event file larger than this is not one event (bodies are capped at 20,000).
MAX_EVENT_BYTES = 256 * 1024


class TriageSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    event_id: str
    ticket_id: str
    started: bool  # False = this event was already delivered (no second workflow)
    # A redelivery whose content differs from the first delivery's (same event_id): the
    # first delivery stands; this one is ignored and said to be. None = not checked.
    conflict: bool | None = None


@dataclass
class EventRefused:
    source: str
    reason: str


def parse_event(data: Any) -> TicketCreatedV1:
    """The typed event, or ValueError with a one-line reason."""
    return parse_typed_event(TicketCreatedV1, EVENT_NAME, data)


def parse_event_bytes(raw: bytes) -> TicketCreatedV1:
    if len(raw) > MAX_EVENT_BYTES:
        raise ValueError(f"event larger than {MAX_EVENT_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not JSON: {err}") from None
    return parse_event(data)


def read_events(path: Path) -> tuple[list[tuple[str, TicketCreatedV1]], list[EventRefused]]:
    """Events from a JSON file (one event, or a list of events) or every *.json file in a
    directory, in name order. Files that cannot be read are refused with a reason."""
    files = json_files(path)
    events: list[tuple[str, TicketCreatedV1]] = []
    refused: list[EventRefused] = []
    for file in files:
        try:
            if file.stat().st_size > MAX_EVENT_BYTES * 100:
                raise ValueError("file too large")
            data = json.loads(file.read_bytes())
        except (OSError, ValueError) as err:
            refused.append(EventRefused(file.name, str(err)[:300]))
            continue
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            where = file.name if len(items) == 1 else f"{file.name}[{i}]"
            try:
                events.append((where, parse_event(item)))
            except ValueError as err:
                refused.append(EventRefused(where, str(err)))
    return events, refused


async def start_triage(
    client: Client, task_queue: str, event: TicketCreatedV1, *, submitted_by: str | None = None
) -> TriageSubmission:
    """`submitted_by` (the gateway's client id) is kept in the workflow's memo: a webhook
    client may read the status of what it submitted, nothing else."""
    workflow_id = triage_workflow_id(event.event_id)
    started = await start_new(
        client,
        WORKFLOW_TYPE,
        TriageWorkflowInput(event=event),
        workflow_id=workflow_id,
        task_queue=task_queue,
        summary=f"Ticket {event.ticket.id}",
        memo={SUBMITTED_BY: submitted_by} if submitted_by else None,
    )
    conflict = None
    if not started:
        first = await first_event(client, workflow_id)
        conflict = None if first is None else first != event
    return TriageSubmission(
        workflow_id=workflow_id,
        event_id=event.event_id,
        ticket_id=event.ticket.id,
        started=started,
        conflict=conflict,
    )


async def first_event(client: Client, workflow_id: str) -> TicketCreatedV1 | None:
    """The event the workflow was started with (from its history: no worker needed)."""
    handle = client.get_workflow_handle(workflow_id)
    async for history_event in handle.fetch_history_events():
        attributes = history_event.workflow_execution_started_event_attributes
        if not attributes.input.payloads:
            return None
        try:
            (request,) = await client.data_converter.decode(
                attributes.input.payloads, [TriageWorkflowInput]
            )
        except Exception:  # a different workflow type or shape: cannot compare
            return None
        return request.event if isinstance(request, TriageWorkflowInput) else None
    return None
