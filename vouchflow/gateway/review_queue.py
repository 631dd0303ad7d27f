"""One queue of everything waiting for a person, across workflows.

Every vouchflow workflow that waits for a person sets the search attribute
``VouchflowStatus = 'awaiting_approval'``; Temporal's visibility lists them and the
workflow type tells invoices from tickets. Each listed run is then asked for its live
state (the `status` query), because visibility lags a moment behind: an item someone
just decided leaves the queue at once. The filters (workflow, reason) apply to the
states, so the menus can count what the whole queue holds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from temporalio.client import Client
from temporalio.service import RPCError

from schemas.common.decisions import DecisionRecord
from schemas.invoice.workflow import InvoiceState
from schemas.triage.state import TriageState
from vouchflow.gateway.review_reasons import REASON_KINDS, reason_kinds

WorkflowKind = Literal["invoice", "ticket"]
WORKFLOW_TYPES: dict[WorkflowKind, str] = {
    "invoice": "InvoiceWorkflow",
    "ticket": "TriageWorkflow",
}
WORKFLOW_LABELS: dict[WorkflowKind, str] = {"invoice": "Invoices", "ticket": "Tickets"}
ID_PREFIXES: dict[WorkflowKind, str] = {"invoice": "invoice-", "ticket": "triage-"}
AWAITING = "awaiting_approval"
# Visibility rows read per page view; the page says when there are more.
MAX_LISTED = 200
# State queries in flight at once (each is a round trip to a worker).
QUERY_CONCURRENCY = 8
S = TypeVar("S", InvoiceState, TriageState)


@dataclass
class QueueItem:
    workflow_id: str
    workflow: WorkflowKind
    title: str
    # Invoices: the total as money; tickets: the proposed category and urgency.
    summary: str
    reasons: list[str]
    kinds: list[str]
    received: dt.datetime | None


@dataclass
class Queue:
    items: list[QueueItem]
    # Counts over the whole queue (before the reason filter), for the filter menus.
    by_workflow: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    more: bool = False


# Decisions that end a review: once one is accepted the workflow moves on, even if its
# status has not caught up yet when the page asks.
SETTLING_KINDS = frozenset({"approve", "reject", "confirm", "correct"})


def settled(decisions: Sequence[DecisionRecord]) -> bool:
    """An accepted decision ended the review (the status may still say awaiting)."""
    return any(d.accepted and d.kind in SETTLING_KINDS for d in decisions)


def workflow_kind(workflow_id: str) -> WorkflowKind | None:
    for kind, prefix in ID_PREFIXES.items():
        if workflow_id.startswith(prefix):
            return kind
    return None


def visibility_query() -> str:
    """Every run of our workflow types that waits for a person."""
    listed = ", ".join(f"'{t}'" for t in WORKFLOW_TYPES.values())
    return f"VouchflowStatus = '{AWAITING}' AND WorkflowType IN ({listed})"


def invoice_item(state: InvoiceState, received: dt.datetime | None) -> QueueItem:
    inv = state.assessment.invoice if state.assessment else None
    reasons = list(state.assessment.decision.reasons) if state.assessment else []
    if not reasons and state.status_reason:
        reasons = [state.status_reason]
    title = " · ".join(
        part for part in ((inv.supplier_name, inv.invoice_number) if inv else ()) if part
    )
    return QueueItem(
        workflow_id=state.workflow_id,
        workflow="invoice",
        title=title or state.event.filename,
        summary=state.total_text(),
        reasons=reasons,
        kinds=reason_kinds(reasons),
        received=received,
    )


def ticket_item(state: TriageState, received: dt.datetime | None) -> QueueItem:
    proposed = state.classification.classification if state.classification else None
    route = state.route or state.first_route
    reasons = list(route.reasons) if route else []
    if not reasons and state.status_reason:
        reasons = [state.status_reason]
    summary = f"{proposed.category} / {proposed.urgency}" if proposed else "-"
    return QueueItem(
        workflow_id=state.workflow_id,
        workflow="ticket",
        title=state.event.ticket.subject,
        summary=summary.replace("_", " "),
        reasons=reasons,
        kinds=reason_kinds(reasons),
        received=received,
    )


async def query_state(client: Client, workflow_id: str, state_type: type[S]) -> S | None:
    """The live state, or None when the workflow cannot answer (gone, no worker)."""
    try:
        state: S = await client.get_workflow_handle(workflow_id).query(
            "status", result_type=state_type, rpc_timeout=dt.timedelta(seconds=5)
        )
    except RPCError:
        return None
    return state


async def _item(client: Client, workflow_id: str, received: dt.datetime | None) -> QueueItem | None:
    kind = workflow_kind(workflow_id)
    if kind == "invoice":
        invoice = await query_state(client, workflow_id, InvoiceState)
        if invoice is not None and invoice.status == AWAITING and not settled(invoice.decisions):
            return invoice_item(invoice, received)
    elif kind == "ticket":
        ticket = await query_state(client, workflow_id, TriageState)
        if ticket is not None and ticket.status == AWAITING and not settled(ticket.decisions):
            return ticket_item(ticket, received)
    return None


def filter_items(
    items: Sequence[QueueItem], workflow: str | None, reason: str | None
) -> list[QueueItem]:
    """Items of one workflow kind and/or one reason kind; an unknown value filters
    nothing (a hand-edited link shows the whole queue, never an error)."""
    return [
        item
        for item in items
        if (workflow not in WORKFLOW_TYPES or item.workflow == workflow)
        and (reason not in REASON_KINDS or reason in item.kinds)
    ]


def counts(items: Sequence[QueueItem]) -> tuple[dict[str, int], dict[str, int]]:
    """(items per workflow kind, items per reason kind), kinds in display order."""
    by_workflow = Counter(item.workflow for item in items)
    by_reason = Counter(kind for item in items for kind in item.kinds)
    return (
        {k: by_workflow[k] for k in WORKFLOW_TYPES if by_workflow[k]},
        {k: by_reason[k] for k in REASON_KINDS if by_reason[k]},
    )


async def load_queue(
    get_client: Callable[[], Awaitable[Client]],
    *,
    workflow: str | None = None,
    reason: str | None = None,
) -> Queue:
    """Everything awaiting a person, oldest first, narrowed to one workflow kind and/or
    one reason kind."""
    client = await get_client()
    listed: list[tuple[str, dt.datetime | None]] = []
    more = False
    async for wf in client.list_workflows(visibility_query(), limit=MAX_LISTED + 1):
        if len(listed) == MAX_LISTED:
            more = True
            break
        listed.append((wf.id, wf.start_time))
    gate = asyncio.Semaphore(QUERY_CONCURRENCY)

    async def one(workflow_id: str, received: dt.datetime | None) -> QueueItem | None:
        async with gate:
            return await _item(client, workflow_id, received)

    found = await asyncio.gather(*(one(wid, at) for wid, at in listed))
    items = [item for item in found if item is not None]
    items.sort(key=lambda i: (i.received or dt.datetime.max.replace(tzinfo=dt.UTC), i.workflow_id))
    by_workflow, by_reason = counts(items)
    return Queue(filter_items(items, workflow, reason), by_workflow, by_reason, more)
