"""`vouchflow failed ...`: the dead letter from the command line.

    failed list [--workflow TYPE] [--ended]        parked runs (VouchflowDeadLetter is set)
    failed rerun ID [--resume | --from-start]      an operator resumes or re-runs one
    failed close ID --reason R                     an operator gives up on one

Every action carries the operator's proof: a token signed with their own key, bound to
the workflow and the action (`operate` for resume/close, `rerun` for a re-run). The CLI
checks the proof and the operator list first (a refusal is audited and exits 3), audits
the request, and sends it through the workflow's `dead_letter` update; the worker checks
both again before it acts, and audits its own refusals. A run that has already ended
`needs_attention` (closed, expired, or from before the dead letter existed) can be re-run
from the start: a new run under the same workflow id, as `vouchflow rerun` starts one.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
import sys
import uuid
from dataclasses import dataclass
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.audit import AuditEntry, AuditRecord
from schemas.common.dead_letter import DeadLetterReply, DeadLetterRequest, token_action
from schemas.common.rollout import RerunRequest
from schemas.invoice.events import InvoiceReceivedV1
from schemas.invoice.workflow import InvoiceWorkflowInput
from schemas.proposal.events import TierChangeRequestedV1
from schemas.proposal.state import ProposalWorkflowInput
from schemas.triage.events import TicketCreatedV1
from schemas.triage.state import TriageWorkflowInput
from vouchflow.cli.identity import Signer, resolve_signer
from vouchflow.cli.workflow_commands import EXIT_REFUSED
from vouchflow.identity.keys import load_trusted
from vouchflow.identity.tokens import ProofRefused, VerifiedActor, verify_decision_token
from vouchflow.rollout.config import operator_refusal
from vouchflow.runtime import search_attributes as sa
from vouchflow.runtime.errors import one_line, user_message
from vouchflow.settings import Settings
from vouchflow.stores.audit import AuditStore, open_audit_store

WORKFLOW_TYPES = {
    "invoice": "InvoiceWorkflow",
    "triage": "TriageWorkflow",
    "ticket": "TriageWorkflow",
    "tier_change": "TierChangeWorkflow",
    "proposal": "TierChangeWorkflow",
}
# Ended runs can be started again from their first event (workflows whose input is
# {event, rerun}).
RESTARTABLE = {"InvoiceWorkflow", "TriageWorkflow", "TierChangeWorkflow"}
_TYPE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,80}Workflow$")
UPDATE_TIMEOUT_S = 60.0
CLI_RUN_ID = "cli"


class FailedCommandError(Exception):
    """A `failed` command that cannot be carried out; the message says why (exit 1)."""


class Refused(Exception):
    """The operator's action was refused (audited); exit 3."""


@dataclass
class ParkedRun:
    workflow_id: str
    workflow_type: str
    run_id: str
    kind: str | None
    status: str
    running: bool
    parked: dict[str, Any] | None


def add_failed_parsers(sub: Any) -> None:
    p = sub.add_parser("failed", help="the dead letter: parked runs and operators' actions")
    fsub = p.add_subparsers(dest="failed_command", required=True, metavar="COMMAND")

    ls = fsub.add_parser("list", help="runs parked in the dead letter")
    ls.add_argument("--workflow", metavar="TYPE", help="invoice, triage, tier_change or a type")
    ls.add_argument(
        "--ended", action="store_true", help="also runs that already ended needs_attention"
    )
    ls.add_argument("--limit", type=int, default=200)
    ls.add_argument("--json", action="store_true")

    for name, text in (
        ("rerun", "resume a parked run, or re-run it from the start (operator; audited)"),
        ("close", "give up on a parked run: it ends needs_attention (operator; audited)"),
    ):
        c = fsub.add_parser(name, help=text)
        c.add_argument("workflow_id")
        c.add_argument("--as", dest="as_person", metavar="ID", help="the operator (their key)")
        c.add_argument("--key", metavar="FILE", help="your private key")
        if name == "rerun":
            how = c.add_mutually_exclusive_group()
            how.add_argument(
                "--resume",
                dest="how",
                action="store_const",
                const="resume",
                help="retry the failed step with its idempotency key (the default when it can)",
            )
            how.add_argument(
                "--from-start",
                dest="how",
                action="store_const",
                const="rerun",
                help="start again from the beginning, as a re-run",
            )
            c.add_argument("--reason", default="", help="why (kept in the audit log)")
        else:
            c.add_argument("--reason", required=True, help="why (kept in the audit log)")


def workflow_type_clause(workflow: str | None) -> str | None:
    if not workflow:
        return None
    name = WORKFLOW_TYPES.get(workflow.strip().lower(), workflow.strip())
    if not _TYPE_NAME.match(name):
        known = ", ".join(sorted(WORKFLOW_TYPES))
        raise FailedCommandError(f"--workflow: not a workflow type: {workflow[:40]!r} ({known})")
    return f"WorkflowType = '{name}'"


def list_query(workflow: str | None, *, ended: bool) -> str:
    parked = f"({sa.DEAD_LETTER.name} IS NOT NULL AND ExecutionStatus = 'Running')"
    if ended:
        parked = (
            f"({parked} OR ({sa.STATUS.name} = 'needs_attention' AND ExecutionStatus != 'Running'))"
        )
    clauses = [parked]
    type_clause = workflow_type_clause(workflow)
    if type_clause:
        clauses.append(type_clause)
    return " AND ".join(clauses)


def last_parked(trail: list[AuditRecord]) -> dict[str, Any] | None:
    """The latest `dead_letter.parked` record's payload, if the run parked at all."""
    for record in reversed(trail):
        if record.type == "dead_letter.parked":
            return dict(record.payload)
    return None


async def parked_runs(client: Client, audit: AuditStore, query: str, limit: int) -> list[ParkedRun]:
    seen: dict[str, ParkedRun] = {}
    async for wf in client.list_workflows(query, limit=limit):
        if wf.id in seen:
            continue
        attrs = wf.typed_search_attributes
        running = wf.status == WorkflowExecutionStatus.RUNNING
        trail = await asyncio.to_thread(audit.trail, wf.id)
        seen[wf.id] = ParkedRun(
            workflow_id=wf.id,
            workflow_type=wf.workflow_type,
            run_id=wf.run_id,
            kind=attrs.get(sa.DEAD_LETTER),
            status=attrs.get(sa.STATUS) or (wf.status.name.lower() if wf.status else "?"),
            running=running,
            parked=last_parked(trail) if running else None,
        )
    return sorted(seen.values(), key=lambda r: (not r.running, r.workflow_id))


def run_lines(run: ParkedRun) -> list[str]:
    """One run as the operator reads it: what failed, how often, since when, what next."""
    if not run.running:
        return [
            f"{run.workflow_id}  {run.workflow_type}  ended {run.status}",
            f"  next: vouchflow failed rerun {run.workflow_id} --from-start",
        ]
    parked = run.parked or {}
    attempts = parked.get("attempts")
    budget = parked.get("retry_budget")
    tried = (
        f"{attempts}/{budget} attempts"
        if attempts
        else (f"stopped: {parked.get('retry_state')}" if parked.get("retry_state") else "-")
    )
    return [
        f"{run.workflow_id}  {run.workflow_type}  parked: {run.kind or parked.get('kind')}"
        f"  step {parked.get('step', '?')}  since {str(parked.get('parked_at', '?'))[:19]}"
        f"  ({tried}; parked {parked.get('times_parked', 1)}x)",
        f"  failure: {one_line(str(parked.get('reason', '')))}",
        f"  needs: {one_line(str(parked.get('needs', '')))}",
    ]


async def cmd_list(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    audit = open_audit_store(settings)
    runs = await parked_runs(client, audit, list_query(args.workflow, ended=args.ended), args.limit)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "workflow_id": r.workflow_id,
                        "workflow_type": r.workflow_type,
                        "run_id": r.run_id,
                        "kind": r.kind,
                        "status": r.status,
                        "parked": r.running,
                        "failure": r.parked,
                    }
                    for r in runs
                ],
                indent=2,
                default=str,
            )
        )
        return 0
    if not runs:
        print("no runs in the dead letter")
        return 0
    for run in runs:
        for line in run_lines(run):
            print(line)
    parked = sum(1 for r in runs if r.running)
    print(f"{parked} parked run(s)" + (f", {len(runs) - parked} ended" if args.ended else ""))
    return 0


# ---- operators' actions -----------------------------------------------------------------


def _audit(audit: AuditStore, workflow_id: str, type_: str, payload: dict[str, Any]) -> None:
    audit.append(
        AuditEntry(
            workflow_id=workflow_id,
            run_id=CLI_RUN_ID,
            type=type_,
            payload=payload,
            # The command line is no workflow: each request is its own record.
            idempotency_key=f"{workflow_id}:{type_}:{uuid.uuid4().hex}",
        ),
        now=dt.datetime.now(dt.UTC),
    )


def prove(
    settings: Settings, audit: AuditStore, signer: Signer, workflow_id: str, action: str
) -> tuple[str, VerifiedActor]:
    """The operator's token for this workflow and action, checked here as the worker will
    check it; a refusal is audited before it is reported."""
    token = signer.token(workflow_id, token_action(action))
    try:
        actor = verify_decision_token(
            token,
            trusted=load_trusted(settings.home),
            workflow_id=workflow_id,
            action=token_action(action),
        )
        refusal = operator_refusal(settings, actor.person)
    except ProofRefused as err:
        refusal = str(err)
    if refusal:
        _audit(
            audit,
            workflow_id,
            "dead_letter.refused",
            {"action": action, "actor": signer.person, "channel": "cli", "reason": refusal},
        )
        raise Refused(f"{action} refused for {workflow_id}: {refusal}")
    return token, actor


async def _describe(client: Client, workflow_id: str) -> tuple[bool, str, str, str | None, str]:
    """(running, workflow type, status, dead-letter kind, run id) of the latest run."""
    try:
        desc = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise FailedCommandError(f"no workflow with id {workflow_id[:200]}") from None
        raise
    attrs = desc.typed_search_attributes
    running = desc.status == WorkflowExecutionStatus.RUNNING
    status = attrs.get(sa.STATUS) or (desc.status.name.lower() if desc.status else "?")
    return running, desc.workflow_type, status, attrs.get(sa.DEAD_LETTER), desc.run_id


async def send_action(
    client: Client, workflow_id: str, request: DeadLetterRequest
) -> DeadLetterReply:
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await asyncio.wait_for(
            handle.execute_update("dead_letter", request, result_type=DeadLetterReply),
            timeout=UPDATE_TIMEOUT_S,
        )
    except TimeoutError:
        raise FailedCommandError(
            f"the workflow did not answer within {UPDATE_TIMEOUT_S:.0f} s (is a worker running?)"
        ) from None
    except WorkflowUpdateFailedError as err:
        cause = err.cause if err.cause is not None else err
        return DeadLetterReply(action=request.action, accepted=False, reason=user_message(cause))


async def operate(
    args: argparse.Namespace, settings: Settings, client: Client, action: str | None
) -> int:
    """rerun (resume / from the start) or close one workflow's parked run."""
    workflow_id = args.workflow_id
    audit = open_audit_store(settings)
    running, workflow_type, status, kind, run_id = await _describe(client, workflow_id)
    parked = last_parked(await asyncio.to_thread(audit.trail, workflow_id)) if running else None
    if action is None:  # `failed rerun ID`: resume when the step can be retried
        action = "resume" if parked is not None and parked.get("resumable") else "rerun"
    if not running:
        if action != "rerun":
            raise FailedCommandError(
                f"{workflow_id} has ended ({status}): it can only be re-run from the start"
                f" (`vouchflow failed rerun {workflow_id} --from-start`)"
            )
        return await restart(args, settings, client, audit, workflow_type, status, run_id)
    if kind is None:
        raise FailedCommandError(
            f"{workflow_id} is not parked in the dead letter (status {status}); it still runs"
        )
    signer = resolve_signer(settings, args.as_person, args.key)
    token, actor = prove(settings, audit, signer, workflow_id, action)
    reason = args.reason.strip()
    # Audit before the action: who asked, with which proof, and why.
    _audit(
        audit,
        workflow_id,
        "dead_letter.requested",
        {
            "action": action,
            "operator": actor.person,
            "token_id": actor.token_id,
            "channel": actor.channel,
            "run_id": run_id,
            "kind": kind,
            "reason": reason,
        },
    )
    request = DeadLetterRequest(
        action=action,
        token=token,
        operator=actor.person,
        reason=reason,
        channel="cli",
    )
    reply = await send_action(client, workflow_id, request)
    if not reply.accepted:
        raise Refused(f"{action} refused for {workflow_id}: {one_line(reply.reason)}")
    print(f"{action} accepted for {workflow_id} by {reply.actor}: {one_line(reply.reason)}")
    return 0


async def restart(
    args: argparse.Namespace,
    settings: Settings,
    client: Client,
    audit: AuditStore,
    workflow_type: str,
    status: str,
    previous_run_id: str,
) -> int:
    """A run that ended `needs_attention`: a new run from its first event, as a re-run."""
    from vouchflow.cli.runs import _original_event

    workflow_id = args.workflow_id
    if status != "needs_attention":
        raise FailedCommandError(
            f"{workflow_id} ended {status}, not needs_attention: nothing to re-run here"
            " (`vouchflow rerun --prompt-version` re-runs after a prompt rollback)"
        )
    if workflow_type not in RESTARTABLE:
        raise FailedCommandError(
            f"a {workflow_type} run that has ended cannot be started again here; only a parked"
            " one can be re-run"
        )
    signer = resolve_signer(settings, args.as_person, args.key)
    token, actor = prove(settings, audit, signer, workflow_id, "rerun")
    reason = args.reason.strip() or "re-run from the dead letter"
    trail = await asyncio.to_thread(audit.trail, workflow_id)
    event = await _original_event(client, workflow_id, trail)
    prompt_version = _prompt_version(trail)
    request = RerunRequest(
        token=token, operator=actor.person, prompt_version=prompt_version, reason=reason
    )
    _audit(
        audit,
        workflow_id,
        "rerun.requested",
        {
            "operator": actor.person,
            "token_id": actor.token_id,
            "channel": actor.channel,
            "prompt_version": prompt_version,
            "previous_run_id": previous_run_id,
            "previous_status": status,
            "reason": reason,
            "from": "dead_letter",
        },
    )
    arg: Any
    if workflow_type == "TriageWorkflow":
        arg = TriageWorkflowInput(event=TicketCreatedV1.model_validate(event), rerun=request)
    elif workflow_type == "TierChangeWorkflow":
        event = TierChangeRequestedV1.model_validate(event)
        arg = ProposalWorkflowInput(event=event, rerun=request)
    else:
        arg = InvoiceWorkflowInput(event=InvoiceReceivedV1.model_validate(event), rerun=request)
    try:
        await client.start_workflow(
            workflow_type,
            arg,
            id=workflow_id,
            task_queue=settings.temporal.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary="Re-run from the dead letter",
        )
    except WorkflowAlreadyStartedError:
        raise FailedCommandError(f"{workflow_id}: a run started meanwhile") from None
    print(f"rerun started for {workflow_id} (was {status}) by {actor.person}")
    return 0


def _prompt_version(trail: list[AuditRecord]) -> str:
    for record in reversed(trail):
        if record.type == "prompt.resolved":
            return f"{record.payload.get('name')}@{record.payload.get('version')}"
    return "none"


def dispatch_failed(args: argparse.Namespace, settings: Settings) -> int:
    """`failed ...`: errors become the CLI's one-line errors; refusals exit 3."""
    from vouchflow.cli.app import CliError
    from vouchflow.cli.workflow_commands import connect

    async def with_client() -> int:
        client = await connect(settings, CliError)
        if args.failed_command == "list":
            return await cmd_list(args, settings, client)
        if args.failed_command == "close":
            return await operate(args, settings, client, "close")
        return await operate(args, settings, client, args.how)

    try:
        return asyncio.run(with_client())
    except Refused as err:
        print(f"error: {one_line(str(err))}", file=sys.stderr)
        return EXIT_REFUSED
    except FailedCommandError as err:
        raise CliError(str(err)) from None
