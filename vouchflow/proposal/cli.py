"""`vouchflow propose ...`: submit tier-change requests, approve or reject a risky one,
show a request's state.

    propose start FILE.json|DIR [--no-wait]          request files or full events
    propose request --customer ID --tier TIER --text TEXT [--source S]
    propose approve WORKFLOW_ID [--as ID] [--key FILE] [--comment TEXT]
    propose reject WORKFLOW_ID --reason TEXT [--as ID] [--key FILE]
    propose status WORKFLOW_ID [--json]

Decisions go through the workflow's `decide` update, signed with the person's own key,
and the command prints the workflow's answer. Exit codes: 1 error, 3 a refused decision.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.decisions import DecisionRequest
from schemas.proposal.events import TIERS, TierChangeRequestedV1
from schemas.proposal.state import ENDED, ProposalState
from vouchflow.cli import workflow_commands
from vouchflow.cli.workflow_commands import (
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
from vouchflow.proposal.intake import (
    ProposalSubmission,
    read_request_file,
    request_event,
    start_proposal,
)
from vouchflow.runtime.event_intake import json_files
from vouchflow.settings import Settings
from workflows.proposal.views import money

EXIT_ERROR = 1
RESTING = (*ENDED, "awaiting_approval", "scheduled")


class ProposalCliError(Exception):
    """A user-facing failure: one line, exit code 1."""


def add_proposal_commands(subparsers: Any) -> argparse.ArgumentParser:
    propose = subparsers.add_parser(
        "propose", help="tier-change proposals (model proposes, code decides)"
    )
    sub = propose.add_subparsers(dest="propose_command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "start", help="submit a request file (or a tier_change.requested.v1 event), or a folder"
    )
    p.add_argument("path")
    p.add_argument("--no-wait", action="store_true")
    p.add_argument("--timeout", type=float, default=60.0)
    p = sub.add_parser("request", help="submit one request typed on the command line")
    p.add_argument("--customer", required=True)
    p.add_argument("--tier", required=True, choices=TIERS, help="the tier your records show")
    p.add_argument("--text", required=True, help="the customer's words")
    p.add_argument("--source", default="api", choices=["email", "ticket", "chat", "api"])
    p.add_argument("--no-wait", action="store_true")
    p.add_argument("--timeout", type=float, default=60.0)
    for name in ("approve", "reject"):
        p = sub.add_parser(name, help=f"{name} a tier change awaiting approval")
        p.add_argument("workflow_id")
        p.add_argument("--as", dest="as_person", metavar="ID", help="who decides")
        p.add_argument("--key", metavar="FILE", help="your private key")
        if name == "approve":
            p.add_argument("--comment", default="")
        else:
            p.add_argument("--reason", required=True)
    p = sub.add_parser("status", help="the state of one tier change")
    p.add_argument("workflow_id")
    p.add_argument("--json", action="store_true")
    return propose


def run_propose(args: argparse.Namespace, settings: Settings) -> int:
    command = args.propose_command
    if command in ("start", "request"):
        return asyncio.run(_start(args, settings))
    if command in ("approve", "reject"):
        return asyncio.run(_decide(args, settings, command))
    return asyncio.run(_status(args, settings))


async def fetch_state(client: Client, workflow_id: str) -> ProposalState:
    state = await query_state(client, workflow_id, ProposalState)
    if state is None:
        raise ProposalCliError(f"no tier-change workflow with id {workflow_id[:200]}")
    return state


async def wait_until_resting(
    client: Client, ids: list[str], *, timeout_s: float
) -> list[ProposalState]:
    return await workflow_commands.wait_until_resting(
        lambda workflow_id: query_state(client, workflow_id, ProposalState),
        ids,
        resting=RESTING,
        timeout_s=timeout_s,
        error=ProposalCliError,
    )


def proposal_table(states: list[ProposalState], title: str = "Tier changes") -> Table:
    table = Table(title=title)
    for column in ("workflow id", "customer", "change", "risk", "route", "dry run", "status"):
        table.add_column(column, overflow="fold")
    for state in states:
        proposal = state.result.proposal if state.result else None
        change = (
            f"{proposal.current_tier} -> {proposal.target_tier} ({proposal.effective_date.date()})"
            if proposal
            else "-"
        )
        dry = state.dry_run
        dry_text = (
            f"{money(dry.old_price_minor, dry.currency)} ->"
            f" {money(dry.new_price_minor, dry.currency)},"
            f" proration {money(dry.proration_minor, dry.currency)},"
            f" next invoice {money(dry.next_invoice_total_minor, dry.currency)}"
            if dry
            else "-"
        )
        reason = state.status_reason
        table.add_row(
            state.workflow_id,
            escape(state.event.customer.id),
            escape(change),
            state.risk or "-",
            state.route or "-",
            escape(dry_text),
            f"{state.status}\n[dim]{escape(reason[:160])}[/dim]" if reason else state.status,
        )
    return table


async def submit_requests(
    client: Client, settings: Settings, path: Path
) -> tuple[list[ProposalSubmission], list[str]]:
    files = await asyncio.to_thread(json_files, path)
    submissions: list[ProposalSubmission] = []
    refused: list[str] = []
    for file in files:
        try:
            event = await asyncio.to_thread(read_request_file, file)
        except (OSError, ValueError) as err:
            refused.append(f"{file.name}: {str(err)[:300]}")
            continue
        submissions.append(await start_proposal(client, settings.temporal.task_queue, event))
    return submissions, refused


async def _start(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.render import console

    client = await connect(settings, ProposalCliError)
    refused: list[str] = []
    if args.propose_command == "request":
        try:
            event: TierChangeRequestedV1 = request_event(
                customer_id=args.customer, tier=args.tier, text=args.text, source=args.source
            )
        except ValueError as err:
            raise ProposalCliError(str(err)) from None
        submissions = [await start_proposal(client, settings.temporal.task_queue, event)]
    else:
        path = Path(args.path)
        if not await asyncio.to_thread(path.exists):
            raise ProposalCliError(f"no such file or folder: {args.path}")
        submissions, refused = await submit_requests(client, settings, path)
    print_refused(refused)
    for s in submissions:
        what = "started" if s.started else "already received (same event): not started again"
        console.print(f"{s.workflow_id}: {what}", markup=False, highlight=False)
    if submissions and not args.no_wait:
        ids = list(dict.fromkeys(s.workflow_id for s in submissions))
        console.print(proposal_table(await wait_until_resting(client, ids, timeout_s=args.timeout)))
    return EXIT_ERROR if refused else 0


async def _decide(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    from vouchflow.cli.identity import resolve_signer
    from vouchflow.runtime.errors import user_message

    signer = resolve_signer(settings, args.as_person, args.key)
    request = DecisionRequest(
        kind=kind,
        token=signer.token(args.workflow_id, kind, channel="cli"),
        channel="cli",
        comment=getattr(args, "comment", ""),
        reason=getattr(args, "reason", ""),
    )
    client = await connect(settings, ProposalCliError)
    try:
        reply = await send_decision(client, args.workflow_id, request, signer.person)
    except TimeoutError:
        raise ProposalCliError("the workflow did not answer (is a worker running?)") from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ProposalCliError(f"no workflow with id {args.workflow_id[:200]}") from None
        raise ProposalCliError(f"the workflow takes no decision: {user_message(err)}") from None
    return print_verdict(kind, args.workflow_id, reply)


async def _status(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.render import console

    state = await fetch_state(await connect(settings, ProposalCliError), args.workflow_id)
    if args.json:
        print_json(state)
        return 0
    console.print(proposal_table([state], title=f"Tier change {state.workflow_id}"))
    if state.policy is not None:
        console.print(f"policy {state.policy.policy_version}:", markup=False)
        for rule in state.policy.rules:
            mark = "FIRED" if rule.fired else "ok"
            console.print(f"  {rule.rule}: {mark} ({rule.detail})", markup=False, highlight=False)
    print_decisions(state.decisions)
    return 0


async def demo_tier_changes(
    client: Client, settings: Settings, samples_dir: Path
) -> list[ProposalState]:
    """`make demo`'s tier changes: submit the bundled requests (one of them twice), print
    the route each took, and the commands that approve or reject one awaiting a person."""
    from vouchflow.cli.render import console

    if not await asyncio.to_thread(samples_dir.is_dir):
        return []
    submissions, refused = await submit_requests(client, settings, samples_dir)
    print_refused(refused)
    first = (await asyncio.to_thread(json_files, samples_dir))[:1]
    if first:  # delivered again: the same workflow, no second change
        again, _ = await submit_requests(client, settings, first[0])
        submissions += again
    ids = list(dict.fromkeys(s.workflow_id for s in submissions))
    states = await wait_until_resting(client, ids, timeout_s=60)
    console.print(
        proposal_table(states, title="vouchflow demo: the route each tier-change request took")
    )
    for s in submissions:
        if not s.started:
            console.print(
                f"{s.customer_id}: the same request again: workflow {s.workflow_id},"
                " no second change",
                markup=False,
                highlight=False,
            )
    waiting = [s for s in states if s.status == "awaiting_approval"]
    if waiting:
        approver, wf = demo_approver(settings), waiting[0].workflow_id
        print_commands(
            "\nTier changes waiting for a person (the dry run is shown above). For example:",
            [
                f".venv/bin/python starter.py propose approve {wf} --as {approver}"
                " --comment 'checked'",
                f".venv/bin/python starter.py propose reject {wf} --as {approver}"
                " --reason 'not now'",
            ],
        )
    return states
