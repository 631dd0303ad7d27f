"""Starting tier-change workflows from `tier_change.requested` v1 events.

Shared by the CLI, the demo and tests. The workflow id derives from the event id: a
second delivery of the same event attaches to the running workflow (or is refused by the
closed one) and starts nothing. A request file without an event id (a sample, or
`vouchflow propose --customer ... --text ...`) gets one derived from its content and day,
so submitting the same request twice the same day is one workflow too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from schemas.proposal.events import EVENT_NAME, TierChangeRequestedV1, proposal_workflow_id
from schemas.proposal.state import ProposalWorkflowInput
from vouchflow.runtime.event_intake import parse_event as parse_typed_event
from vouchflow.runtime.event_intake import start_new

WORKFLOW_TYPE = "TierChangeWorkflow"
MAX_EVENT_BYTES = 64 * 1024


class ProposalSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    event_id: str
    customer_id: str
    started: bool  # False = this event was already delivered (no second workflow)


def parse_event(data: Any) -> TierChangeRequestedV1:
    """The typed event, or ValueError with a one-line reason."""
    return parse_typed_event(TierChangeRequestedV1, EVENT_NAME, data)


def request_event(
    *,
    customer_id: str,
    tier: str,
    text: str,
    source: str = "api",
    requested_by: str = "",
    now: dt.datetime | None = None,
) -> TierChangeRequestedV1:
    """An event for a request typed or read from a request file, stamped now."""
    created = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    digest = hashlib.sha256(
        json.dumps([customer_id, tier, text, source, created.date().isoformat()]).encode()
    ).hexdigest()[:20]
    return parse_event(
        {
            "event": EVENT_NAME,
            "event_id": f"req-{digest}",
            "created_at": created.isoformat(),
            "source": source,
            "customer": {"id": customer_id, "tier": tier},
            "text": text,
            "requested_by": requested_by,
        }
    )


def read_request_file(path: Path, *, now: dt.datetime | None = None) -> TierChangeRequestedV1:
    """A full event, or a request (customer, tier, text, source) stamped now."""
    raw = path.read_bytes()
    if len(raw) > MAX_EVENT_BYTES:
        raise ValueError(f"{path.name}: larger than {MAX_EVENT_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path.name}: not JSON: {err}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a JSON object")
    if "event" in data:
        return parse_event(data)
    customer = data.get("customer") or {}
    return request_event(
        customer_id=str(customer.get("id", "")),
        tier=str(customer.get("tier", "")),
        text=str(data.get("text", "")),
        source=str(data.get("source", "api")),
        requested_by=str(data.get("requested_by", "")),
        now=now,
    )


async def start_proposal(
    client: Client, task_queue: str, event: TierChangeRequestedV1
) -> ProposalSubmission:
    workflow_id = proposal_workflow_id(event.event_id)
    started = await start_new(
        client,
        WORKFLOW_TYPE,
        ProposalWorkflowInput(event=event),
        workflow_id=workflow_id,
        task_queue=task_queue,
        summary=f"Tier change for {event.customer.id}",
    )
    return ProposalSubmission(
        workflow_id=workflow_id,
        event_id=event.event_id,
        customer_id=event.customer.id,
        started=started,
    )
