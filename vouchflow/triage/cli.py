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
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.decisions import DecisionReply
from schemas.triage.classification import CATEGORIES, URGENCIES
from schemas.triage.decisions import TriageDecisionRequest
from schemas.triage.state import ENDED, TriageState
from vouchflow.cli import workflow_commands
from vouchflow.cli.workflow_commands import (
    DECISION_TIMEOUT_S,
    connect,
    demo_approver,
    print_commands,
    print_decisions,
    print_json,
    print_refused,
    print_verdict,
    query_state,
    send_decision,
)
from vouchflow.settings import Settings
from vouchflow.triage.intake import TriageSubmission, read_events, start_triage

EXIT_ERROR = 1
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


async def fetch_triage_state(client: Client, workflow_id: str) -> TriageState:
    state = await query_state(client, workflow_id, TriageState)
    if state is None:
        raise TriageCliError(f"no triage workflow with id {workflow_id[:200]}")
    return state


async def wait_until_resting(
    client: Client, workflow_ids: list[str], *, timeout_s: float
) -> list[TriageState]:
    """Each ticket's state once it is routed, ended, or waiting for a person."""
    return await workflow_commands.wait_until_resting(
        lambda workflow_id: query_state(client, workflow_id, TriageState),
        workflow_ids,
        resting=RESTING,
        timeout_s=timeout_s,
        error=TriageCliError,
    )


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
    client = await connect(settings, TriageCliError)
    submissions, refused = await submit_events(client, settings, path)
    print_refused(refused)
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
    return print_verdict(kind, workflow_id, reply)


async def _send(
    settings: Settings, workflow_id: str, request: TriageDecisionRequest, person: str
) -> DecisionReply:
    client = await connect(settings, TriageCliError)
    try:
        return await send_decision(client, workflow_id, request, person)
    except TimeoutError:
        raise TriageCliError(
            f"the workflow did not answer within {DECISION_TIMEOUT_S:.0f} s (is a worker running?)"
        ) from None
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

    client = await connect(settings, TriageCliError)
    state = await fetch_triage_state(client, args.workflow_id)
    if args.json:
        print_json(state)
        return 0
    console.print(triage_table([state], title=f"Ticket {state.event.ticket.id}"))
    print_decisions(state.decisions)
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
    print_refused(refused)
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
        reviewer, first = demo_approver(settings), waiting[0].workflow_id
        print_commands(
            "\nTickets waiting for a person. Confirm or correct with, for example:",
            [
                f".venv/bin/python starter.py triage confirm {first} --as {reviewer}",
                f".venv/bin/python starter.py triage correct {first} --as {reviewer}"
                " --category billing --urgency high --reason 'double charge'",
                f".venv/bin/temporal workflow signal --workflow-id {first} --name confirm "
                f'--input "{{\\"token\\": \\"$(.venv/bin/python starter.py token --as {reviewer} '
                f'--workflow {first} --action confirm)\\"}}"',
            ],
        )


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
