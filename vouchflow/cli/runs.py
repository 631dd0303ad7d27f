"""Remediation after a bad prompt version.

`vouchflow runs --prompt-version V [--since ...] [--workflow TYPE]` lists the workflows
whose latest run used V, found through the `PromptVersion` search attribute.
`vouchflow rerun --prompt-version V ...` re-runs them (after `prompt rollback`): each is
started again under its own workflow id, as a new run that carries the operator's proof
(a `rerun` token bound to that workflow, verified here and again by the worker), after a
`rerun.requested` audit record. Effects stay exactly once: the re-run's effect keys carry
its number, a draft bill an earlier run left live is never drafted again, and the Jira
issue of a ticket is found by its label. A run still in progress is not re-run: a person
decides it first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from schemas.common.audit import AuditEntry, AuditRecord
from schemas.common.rollout import RerunRequest
from schemas.invoice.events import InvoiceReceivedV1
from schemas.invoice.workflow import InvoiceWorkflowInput
from schemas.triage.events import TicketCreatedV1
from schemas.triage.state import TriageWorkflowInput
from vouchflow.cli.identity import resolve_signer
from vouchflow.identity.keys import load_trusted
from vouchflow.identity.tokens import ProofRefused, verify_decision_token
from vouchflow.rollout.config import operator_refusal
from vouchflow.runtime import search_attributes as sa
from vouchflow.settings import Settings
from vouchflow.stores.audit import open_audit_store

WORKFLOW_TYPES = {"invoice": "InvoiceWorkflow", "triage": "TriageWorkflow"}
_DURATION = re.compile(r"^(\d+)([mhd])$")


class RunsCommandError(Exception):
    """A runs/rerun command that cannot be carried out; the message says why."""


@dataclass
class AffectedRun:
    workflow_id: str
    workflow_type: str
    run_id: str
    status: str
    started: dt.datetime | None
    latest_version: str | None
    running: bool

    @property
    def already_rerun(self) -> bool:
        return self.latest_version is not None and self.latest_version != "-"


def add_runs_parsers(sub: Any) -> None:
    for name, text in (
        ("runs", "workflows whose latest run used a prompt version"),
        ("rerun", "re-run them after a rollback (authorized operator; audited)"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--prompt-version", required=True, metavar="V", help="NAME@V or V")
        p.add_argument("--since", metavar="WHEN", help="ISO date/time, or 7d / 12h / 30m ago")
        p.add_argument("--workflow", choices=sorted(WORKFLOW_TYPES), help="only this kind")
        p.add_argument("--limit", type=int, default=500)
        if name == "rerun":
            p.add_argument("--as", dest="as_person", metavar="ID", help="the operator (key)")
            p.add_argument("--key", metavar="FILE", help="your private key")
            p.add_argument("--reason", default="", help="why (kept in the audit log)")
            p.add_argument("--dry-run", action="store_true", help="show what would be re-run")


def since_clause(text: str | None, now: dt.datetime) -> str | None:
    if not text:
        return None
    match = _DURATION.match(text.strip())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        moment = now - dt.timedelta(**{unit: int(match.group(1))})
    else:
        try:
            moment = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise RunsCommandError(f"--since: not a date or a duration: {text[:40]!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
    return f"StartTime >= '{moment.astimezone(dt.UTC).isoformat()}'"


def version_query(version: str, workflow: str | None, since: str | None) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,200}", version):
        raise RunsCommandError(f"not a prompt version: {version[:40]!r}")
    if "@" in version:
        clause = f"PromptVersion = '{version}'"
    else:
        # A bare version: any prompt at that version (narrow it with --workflow).
        clause = " OR ".join(
            f"PromptVersion = '{name}@{version}'"
            for name in ("invoice_extraction", "support_ticket_classifier")
        )
        clause = f"({clause})"
    clauses = [clause]
    if workflow:
        clauses.append(f"WorkflowType = '{WORKFLOW_TYPES[workflow]}'")
    if since:
        clauses.append(since)
    return " AND ".join(clauses)


def _matches(value: str | None, version: str) -> bool:
    if value is None:
        return False
    return value == version if "@" in version else value.rsplit("@", 1)[-1] == version


async def affected_runs(client: Client, query: str, version: str, limit: int) -> list[AffectedRun]:
    """Each workflow once, as its latest run stands (a re-run's own version shows it was
    already re-run)."""
    seen: dict[str, AffectedRun] = {}
    async for wf in client.list_workflows(query, limit=limit):
        if wf.id in seen:
            continue
        latest = await client.get_workflow_handle(wf.id).describe()
        attrs = latest.typed_search_attributes
        latest_version = attrs.get(sa.PROMPT_VERSION)
        seen[wf.id] = AffectedRun(
            workflow_id=wf.id,
            workflow_type=wf.workflow_type,
            run_id=latest.run_id,
            status=attrs.get(sa.STATUS) or (latest.status.name.lower() if latest.status else "?"),
            started=latest.start_time,
            latest_version=None if _matches(latest_version, version) else latest_version or "-",
            running=latest.status == WorkflowExecutionStatus.RUNNING,
        )
    return sorted(seen.values(), key=lambda r: r.started or dt.datetime.min.replace(tzinfo=dt.UTC))


def run_line(run: AffectedRun) -> str:
    when = f"{run.started:%Y-%m-%d %H:%M}" if run.started else "-"
    note = f"  (already re-run: now {run.latest_version})" if run.already_rerun else ""
    if run.running and not run.already_rerun:
        note = "  (still running)"
    return f"{run.workflow_id:<48} {run.workflow_type:<16} {run.status:<18} {when}{note}"


async def cmd_runs(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    now = dt.datetime.now(dt.UTC)
    query = version_query(args.prompt_version, args.workflow, since_clause(args.since, now))
    runs = await affected_runs(client, query, args.prompt_version, args.limit)
    if not runs:
        print(f"no runs used prompt version {args.prompt_version}")
        return 0
    for run in runs:
        print(run_line(run))
    pending = [r for r in runs if not r.already_rerun and not r.running]
    print(f"{len(runs)} workflow(s); {len(pending)} can be re-run (`rerun --prompt-version ...`)")
    return 0


def _start_event(trail: list[AuditRecord]) -> dict[str, Any]:
    for record in trail:
        if record.type == "workflow.started" and record.run_id != "cli":
            event = record.payload.get("event")
            if isinstance(event, dict):
                return event
    raise RunsCommandError("its audit trail has no workflow.started record")


async def _original_event(client: Client, workflow_id: str, trail: list[AuditRecord]) -> Any:
    """The event exactly as first delivered (from Temporal while it still has the run),
    else as the audit log kept it (redacted where personal data was masked)."""
    try:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        first = history.events[0].workflow_execution_started_event_attributes
        payload = first.input.payloads[0]
        values = await client.data_converter.decode([payload], [dict])
        event = values[0]["event"]
    except RPCError:
        event = _start_event(trail)
    return {**event, "submitter_token": None} if "document_sha256" in event else event


async def cmd_rerun(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    now = dt.datetime.now(dt.UTC)
    query = version_query(args.prompt_version, args.workflow, since_clause(args.since, now))
    runs = await affected_runs(client, query, args.prompt_version, args.limit)
    todo = [r for r in runs if not r.already_rerun]
    if not todo:
        print(f"nothing to re-run for prompt version {args.prompt_version}")
        return 0
    if args.dry_run:
        for run in todo:
            print("would re-run " + run_line(run))
        return 0
    signer = resolve_signer(settings, args.as_person, args.key)
    refusal = operator_refusal(settings, signer.person)
    if refusal:
        raise RunsCommandError(f"re-run refused: {refusal}")
    audit = open_audit_store(settings)
    trusted = load_trusted(settings.home)
    started = skipped = 0
    for run in todo:
        if run.running:
            print(f"not re-run {run.workflow_id}: still running ({run.status}); decide it first")
            skipped += 1
            continue
        token = signer.token(run.workflow_id, "rerun")
        try:
            actor = verify_decision_token(
                token, trusted=trusted, workflow_id=run.workflow_id, action="rerun"
            )
        except ProofRefused as err:
            raise RunsCommandError(f"re-run refused: {err}") from None
        trail = audit.trail(run.workflow_id)
        event = await _original_event(client, run.workflow_id, trail)
        request = RerunRequest(
            token=token,
            operator=actor.person,
            prompt_version=args.prompt_version,
            reason=args.reason,
        )
        # Audit before effect: who asked for the re-run, with which proof, and why.
        audit.append(
            AuditEntry(
                workflow_id=run.workflow_id,
                run_id="cli",
                type="rerun.requested",
                payload={
                    "operator": actor.person,
                    "token_id": actor.token_id,
                    "channel": actor.channel,
                    "prompt_version": args.prompt_version,
                    "previous_run_id": run.run_id,
                    "previous_status": run.status,
                    "reason": args.reason,
                },
                idempotency_key=f"{run.workflow_id}:rerun-requested:{actor.token_id}",
            ),
            now=dt.datetime.now(dt.UTC),
        )
        arg: Any
        if run.workflow_type == "TriageWorkflow":
            arg = TriageWorkflowInput(event=TicketCreatedV1.model_validate(event), rerun=request)
        else:
            arg = InvoiceWorkflowInput(event=InvoiceReceivedV1.model_validate(event), rerun=request)
        try:
            await client.start_workflow(
                run.workflow_type,
                arg,
                id=run.workflow_id,
                task_queue=settings.temporal.task_queue,
                # A new run of the same workflow: its effect keys derive from this id.
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                static_summary=f"Re-run after prompt version {args.prompt_version}",
            )
        except WorkflowAlreadyStartedError:
            print(f"not re-run {run.workflow_id}: a run started meanwhile")
            skipped += 1
            continue
        started += 1
        print(f"re-run {run.workflow_id} (was {run.status}) by {actor.person}")
    print(f"{started} re-run(s) started, {skipped} skipped")
    return 0


def dispatch_rollout(args: argparse.Namespace, settings: Settings) -> int:
    """`rollout`, `runs` and `rerun`: errors become the CLI's one-line errors."""
    import asyncio

    from vouchflow.cli.app import CliError
    from vouchflow.cli.rollout import RolloutCommandError, cmd_rollout
    from vouchflow.runtime.client import TemporalUnavailable, connect

    async def with_client() -> int:
        try:
            client = await connect(settings)
        except TemporalUnavailable as err:
            raise CliError(str(err)) from err
        command = cmd_runs if args.command == "runs" else cmd_rerun
        return await command(args, settings, client)

    try:
        if args.command == "rollout":
            return cmd_rollout(args, settings)
        return asyncio.run(with_client())
    except (RolloutCommandError, RunsCommandError) as err:
        raise CliError(str(err)) from None
