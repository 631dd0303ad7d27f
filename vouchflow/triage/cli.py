"""`vouchflow triage ...`: submit ticket events, confirm or correct a classification,
show a ticket's state.

    triage start FILE.json|DIR [--no-wait]
    triage confirm WORKFLOW_ID [--as ID] [--key FILE] [--comment TEXT]
    triage correct WORKFLOW_ID [--category C] [--urgency U] --reason TEXT [--as ID] [--key FILE]
    triage status WORKFLOW_ID [--json]

Decisions go through the workflow's `decide` update, signed with the person's own key
(as every vouchflow decision), and the command prints the workflow's answer. Exit codes
follow the rest of the CLI: 1 error, 2 usage, 3 a decision the workflow refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.decisions import DecisionReply
from schemas.triage.classification import CATEGORIES, URGENCIES
from schemas.triage.decisions import TriageDecisionRequest
from schemas.triage.state import ENDED, TriageState
from vouchflow.settings import Settings
from vouchflow.triage.intake import TriageSubmission, read_events, start_triage

DECISION_TIMEOUT_S = 60.0
EXIT_ERROR, EXIT_REFUSED = 1, 3
RESTING = (*ENDED, "awaiting_approval")


class TriageCliError(Exception):
    """A user-facing failure: one line, exit code 1."""


def add_triage_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add `triage` and its subcommands to a CLI's subparsers; `run_triage` runs them."""
    triage = subparsers.add_parser("triage", help="support-ticket triage workflows")
    sub = triage.add_subparsers(dest="triage_command", required=True, metavar="COMMAND")

    p = sub.add_parser("start", help="submit a support_ticket.created.v1 event file, or a folder")
    p.add_argument("path")
    p.add_argument("--no-wait", action="store_true", help="do not wait for each ticket's route")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (default 60)")

    for name, what in (
        ("confirm", "confirm the proposed classification"),
        ("correct", "correct the category and/or urgency"),
    ):
        p = sub.add_parser(name, help=what)
        p.add_argument("workflow_id")
        p.add_argument(
            "--as",
            dest="as_person",
            metavar="ID",
            help="who decides (default: $VOUCHFLOW_IDENTITY)",
        )
        p.add_argument(
            "--key", metavar="FILE", help="your private key (default: $VOUCHFLOW_IDENTITY_KEY)"
        )
        if name == "confirm":
            p.add_argument("--comment", default="")
        else:
            p.add_argument("--category", choices=CATEGORIES)
            p.add_argument("--urgency", choices=URGENCIES)
            p.add_argument("--reason", required=True, help="why (kept with the correction)")

    p = sub.add_parser("status", help="the state of one triage workflow")
    p.add_argument("workflow_id")
    p.add_argument("--json", action="store_true", help="the full state as JSON")
    return triage


def run_triage(args: argparse.Namespace, settings: Settings) -> int:
    command = args.triage_command
    if command == "start":
        return asyncio.run(_start(args, settings))
    if command in ("confirm", "correct"):
        return asyncio.run(_decide(args, settings, command))
    return asyncio.run(_status(args, settings))


async def _client(settings: Settings) -> Client:
    from vouchflow.runtime.client import TemporalUnavailable, connect

    try:
        return await connect(settings)
    except TemporalUnavailable as err:
        raise TriageCliError(str(err)) from err


async def fetch_triage_state(client: Client, workflow_id: str) -> TriageState:
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    try:
        return await handle.query("status", result_type=TriageState)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise TriageCliError(f"no triage workflow with id {workflow_id[:200]}") from None
        raise


async def wait_until_resting(
    client: Client, workflow_ids: list[str], *, timeout_s: float
) -> list[TriageState]:
    """Each ticket's state once it is routed, ended, or waiting for a person."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    states: list[TriageState] = []
    for workflow_id in workflow_ids:
        while True:
            state = await fetch_triage_state(client, workflow_id)
            if state.status in RESTING or loop.time() > deadline:
                states.append(state)
                break
            await asyncio.sleep(0.2)
    return states


def triage_table(
    states: list[TriageState],
    submissions: list[TriageSubmission] | None = None,
    title: str = "Support tickets",
) -> Table:
    """The same table style as the invoices': one row per ticket, the reason dimmed."""
    table = Table(title=title, show_lines=False)
    for column in (
        "workflow id",
        "ticket",
        "customer",
        "category",
        "urgency",
        "conf",
        "route",
        "status",
    ):
        table.add_column(column, overflow="fold")
    duplicates = {s.workflow_id for s in submissions or [] if not s.started}
    for state in states:
        shown = state.final or (
            state.classification.classification if state.classification else None
        )
        route = f"{state.route.route} -> {state.route.queue}" if state.route else "-"
        status = state.status + (" (duplicate delivery)" if state.workflow_id in duplicates else "")
        reason = state.status_reason
        table.add_row(
            state.workflow_id,
            escape(state.event.ticket.id),
            escape(f"{state.event.customer.id} ({state.context.plan if state.context else '-'})"),
            shown.category if shown else "-",
            shown.urgency if shown else "-",
            f"{shown.confidence:.2f}" if shown else "-",
            escape(route),
            f"{status}\n[dim]{escape(reason[:160])}[/dim]" if reason else status,
        )
    return table


async def submit_events(
    client: Client, settings: Settings, path: Path
) -> tuple[list[TriageSubmission], list[str]]:
    """Start one workflow per event (in file order); refused files are returned as lines."""
    events, refused = await asyncio.to_thread(read_events, path)
    submissions = [
        await start_triage(client, settings.temporal.task_queue, event) for _, event in events
    ]
    return submissions, [f"{r.source}: {r.reason}" for r in refused]


async def _start(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.render import console

    path = Path(args.path)
    if not await asyncio.to_thread(path.exists):
        raise TriageCliError(f"no such file or folder: {args.path}")
    client = await _client(settings)
    submissions, refused = await submit_events(client, settings, path)
    for line in refused:
        console.print(f"refused {line}", markup=False, highlight=False)
    for s in submissions:
        what = "started" if s.started else "already received (same event_id): not started again"
        if s.conflict:
            what += "; this delivery's content DIFFERS from the first one, which stands"
        console.print(f"{s.workflow_id}: {what}", markup=False, highlight=False)
    if submissions and not args.no_wait:
        ids = list(dict.fromkeys(s.workflow_id for s in submissions))
        states = await wait_until_resting(client, ids, timeout_s=args.timeout)
        console.print(triage_table(states, submissions))
    return EXIT_ERROR if refused or any(s.conflict for s in submissions) else 0


async def _decide(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    from vouchflow.cli.identity import resolve_signer
    from vouchflow.cli.render import console

    signer = resolve_signer(settings, args.as_person, args.key)
    workflow_id = args.workflow_id
    fields: dict[str, Any] = (
        {"comment": args.comment}
        if kind == "confirm"
        else {"category": args.category, "urgency": args.urgency, "reason": args.reason}
    )
    if kind == "correct" and args.category is None and args.urgency is None:
        raise TriageCliError("a correction names --category and/or --urgency")
    request = TriageDecisionRequest(
        kind=kind,
        token=signer.token(workflow_id, kind, channel="cli"),
        channel="cli",
        **fields,
    )
    reply = await _send(settings, workflow_id, request, signer.person)
    verdict = "accepted" if reply.accepted else "REFUSED"
    console.print(
        f"{kind} {verdict} for {workflow_id} by {reply.actor}: {reply.reason}",
        markup=False,
        highlight=False,
    )
    return 0 if reply.accepted else EXIT_REFUSED


async def _send(
    settings: Settings, workflow_id: str, request: TriageDecisionRequest, person: str
) -> DecisionReply:
    from vouchflow.runtime.errors import user_message

    client = await _client(settings)
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    try:
        return await asyncio.wait_for(
            handle.execute_update("decide", request, result_type=DecisionReply),
            timeout=DECISION_TIMEOUT_S,
        )
    except TimeoutError:
        raise TriageCliError(
            f"the workflow did not answer within {DECISION_TIMEOUT_S:.0f} s (is a worker running?)"
        ) from None
    except WorkflowUpdateFailedError as err:
        cause = err.cause if err.cause is not None else err
        return DecisionReply(
            kind=request.kind,
            accepted=False,
            actor=person,
            reason=user_message(cause),
            status="unchanged",
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise TriageCliError("the decision timed out before the workflow answered") from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise TriageCliError(f"no workflow with id {workflow_id[:200]}") from None
        if "already completed" in err.message or "already finished" in err.message:
            raise TriageCliError(
                f"workflow {workflow_id[:200]} has finished: it takes no more decisions"
            ) from None
        raise


async def _status(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.render import console

    client = await _client(settings)
    state = await fetch_triage_state(client, args.workflow_id)
    if args.json:
        print(json.dumps(state.model_dump(mode="json"), indent=2))
        return 0
    console.print(triage_table([state], title=f"Ticket {state.event.ticket.id}"))
    for decision in state.decisions:
        verdict = "accepted" if decision.accepted else "refused"
        console.print(
            f"- {decision.kind} by {decision.actor} {verdict}: {decision.reason}",
            markup=False,
            highlight=False,
        )
    if state.escalation_ref:
        console.print(f"escalation: {state.escalation_ref}", markup=False, highlight=False)
    return 0


async def demo_tickets(client: Client, settings: Settings, tickets_dir: Path) -> None:
    """`make demo`'s second half: submit the bundled sample tickets (a duplicate delivery
    among them), print where each rests in the invoices' table style, and the commands
    that confirm or correct one awaiting review."""
    from vouchflow.cli.render import console

    if not await asyncio.to_thread(tickets_dir.is_dir):
        return
    submissions, refused = await submit_events(client, settings, tickets_dir)
    for line in refused:
        console.print(f"refused {line}", markup=False, highlight=False)
    ids = list(dict.fromkeys(s.workflow_id for s in submissions))
    states = await wait_until_resting(client, ids, timeout_s=60)
    console.print(
        triage_table(states, submissions, title="vouchflow demo: where each sample ticket rests")
    )
    repeats = [s for s in submissions if not s.started]
    for s in repeats:
        console.print(
            f"{s.ticket_id}: delivered again with event_id {s.event_id}: the same workflow,"
            " no second set of effects",
            markup=False,
            highlight=False,
        )
    waiting = [s for s in states if s.status == "awaiting_approval"]
    if waiting:
        reviewer = settings.approval.approvers[0].id if settings.approval.approvers else "alice"
        first = waiting[0].workflow_id
        console.print("\nTickets waiting for a person. Confirm or correct with, for example:")
        for line in (
            f".venv/bin/python starter.py triage confirm {first} --as {reviewer}",
            f".venv/bin/python starter.py triage correct {first} --as {reviewer}"
            " --category billing --urgency high --reason 'double charge'",
            f".venv/bin/temporal workflow signal --workflow-id {first} --name confirm "
            f'--input "{{\\"token\\": \\"$(.venv/bin/python starter.py token --as {reviewer} '
            f'--workflow {first} --action confirm)\\"}}"',
        ):
            console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


async def explain_triage(client: Client, settings: Settings, workflow_id: str) -> int:
    """`explain` for a triage workflow (the invoice `explain` hands over to this)."""
    from vouchflow.cli.render import console
    from vouchflow.stores.audit import open_audit_store
    from vouchflow.triage.explain import explain_triage_lines

    state = await fetch_triage_state(client, workflow_id)
    store = open_audit_store(settings)
    trail = await asyncio.to_thread(store.trail, workflow_id)
    verification = await asyncio.to_thread(store.verify)
    for line in explain_triage_lines(state, trail, verification.ok):
        console.print(line, markup=False, highlight=False)
    return 0
