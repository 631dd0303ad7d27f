"""`python starter.py COMMAND ...`: start, watch and decide on invoice workflows."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from cli.render import console, status_lines, summary_table
from cli.watch import cmd_unwatch, cmd_watch
from schemas.decisions import ApproveSignal, CancelEmailSignal, RejectSignal, RevertSignal
from schemas.workflow import RESTING_STATUSES, InvoiceState
from settings import Settings, load_settings

SUPPORTED_SUFFIXES = {".pdf", ".txt", ".xml", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


async def _client(settings: Settings) -> Client:
    from runtime.client import TemporalUnavailable, connect

    try:
        return await connect(settings)
    except TemporalUnavailable as err:
        raise CliError(str(err)) from err


async def fetch_state(client: Client, workflow_id: str) -> InvoiceState:
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    try:
        return await handle.query("status", result_type=InvoiceState)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise CliError(f"no workflow with id {workflow_id}") from err
        raise


def collect_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.is_file()
            and not p.name.startswith(".")
            and p.suffix.lower() not in {".json", ".md"}
        )
    if not path.exists():
        raise CliError(f"no such file or directory: {path}")
    return [path]


async def wait_until_resting(
    client: Client, workflow_ids: Sequence[str], *, timeout_s: float = 90.0
) -> list[InvoiceState]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    states: dict[str, InvoiceState] = {}
    while True:
        for wid in workflow_ids:
            if wid in states and states[wid].status in RESTING_STATUSES:
                continue
            try:
                states[wid] = await fetch_state(client, wid)
            except (CliError, RPCError):
                continue
        if all(w in states and states[w].status in RESTING_STATUSES for w in workflow_ids):
            break
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.3)
    return [states[w] for w in workflow_ids if w in states]


# ---- commands ---------------------------------------------------------------------------


async def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from documents.blobs import LocalBlobStore
    from runtime.submit import submit_document

    files = collect_files(Path(args.path))
    if not files:
        raise CliError(f"no documents in {args.path}")
    client = await _client(settings)
    blobs = LocalBlobStore(settings.blob_dir)
    submissions = []
    with Progress(console=console, transient=len(files) == 1) as progress:
        task = progress.add_task("submitting", total=len(files))
        for file in files:
            submission = await submit_document(
                client,
                settings,
                blobs,
                file.read_bytes(),
                filename=file.name,
                source="cli",
                submitted_by=args.submitted_by,
            )
            submissions.append(submission)
            progress.advance(task)
    for s in submissions:
        verb = "started" if s.started else "already submitted (attached)"
        console.print(f"{s.workflow_id}  {s.filename}  {verb}")
    if args.wait or len(files) > 1:
        states = await wait_until_resting(client, [s.workflow_id for s in submissions])
        console.print(summary_table(states))
    return 0


async def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    client = await _client(settings)
    state = await fetch_state(client, args.workflow_id)
    if args.json:
        print(state.model_dump_json(indent=2))
    else:
        for line in status_lines(state):
            console.print(line, highlight=False, markup=False)
    return 0


async def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    client = await _client(settings)
    query = "WorkflowType = 'InvoiceWorkflow'"
    if args.awaiting:
        query += " AND VouchflowStatus = 'awaiting_approval'"
    states: list[InvoiceState] = []
    async for wf in client.list_workflows(query, limit=args.limit):
        try:
            states.append(await fetch_state(client, wf.id))
        except (CliError, RPCError):
            continue
    title = "Awaiting approval" if args.awaiting else "Invoices"
    console.print(summary_table(states, title=title))
    return 0


async def _decision_result(
    client: Client, workflow_id: str, before: int, kind: str, actor: str
) -> tuple[bool, str]:
    """Signals have no reply: read the workflow's decision record for this signal."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while loop.time() < deadline:
        state = await fetch_state(client, workflow_id)
        record = state.new_decision_by(before, actor, kind)
        if record is not None:
            return record.accepted, record.reason
        await asyncio.sleep(0.25)
    raise CliError("signal sent, but the workflow has not processed it yet (is a worker running?)")


async def _signal_decision(
    settings: Settings, workflow_id: str, name: str, payload: Any, kind: str, actor: str
) -> int:
    client = await _client(settings)
    before = len((await fetch_state(client, workflow_id)).decisions)
    await client.get_workflow_handle(workflow_id).signal(name, payload)
    accepted, reason = await _decision_result(client, workflow_id, before, kind, actor)
    if accepted:
        console.print(f"{kind} accepted for {workflow_id}: {reason}", markup=False)
        state = await fetch_state(client, workflow_id)
        console.print(f"status: {state.status} - {state.status_reason}", markup=False)
        return 0
    console.print(f"{kind} REFUSED for {workflow_id}: {reason}", markup=False)
    return 3


async def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    corrections = json.loads(args.corrections) if args.corrections else None
    signal = ApproveSignal(
        reviewer=args.reviewer, comment=args.comment, corrections=corrections, channel="cli"
    )
    return await _signal_decision(
        settings, args.workflow_id, "approve", signal, "approve", args.reviewer
    )


async def cmd_reject(args: argparse.Namespace, settings: Settings) -> int:
    signal = RejectSignal(reviewer=args.reviewer, reason=args.reason, channel="cli")
    return await _signal_decision(
        settings, args.workflow_id, "reject", signal, "reject", args.reviewer
    )


async def cmd_cancel_email(args: argparse.Namespace, settings: Settings) -> int:
    client = await _client(settings)
    await fetch_state(client, args.workflow_id)
    await client.get_workflow_handle(args.workflow_id).signal(
        "cancel_email", CancelEmailSignal(requested_by=args.by, reason=args.reason)
    )
    console.print(f"cancel_email sent to {args.workflow_id}")
    return 0


async def cmd_revert(args: argparse.Namespace, settings: Settings) -> int:
    client = await _client(settings)
    state = await fetch_state(client, args.workflow_id)
    if state.status != "drafted":
        raise CliError(
            f"cannot revert: status is {state.status} (only a posted draft can be reverted)"
        )
    await client.get_workflow_handle(args.workflow_id).signal(
        "revert", RevertSignal(requested_by=args.by, reason=args.reason)
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        state = await fetch_state(client, args.workflow_id)
        if state.status != "drafted":
            break
        await asyncio.sleep(0.25)
    console.print(f"status: {state.status} - {state.status_reason}", markup=False)
    return 0 if state.status == "reverted" else 3


async def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from cli.local_extract import extract_locally

    result = await extract_locally(Path(args.file), settings)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        console.print_json(data=result)
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from stores.audit import open_audit_store

    store = open_audit_store(settings)
    if args.audit_command == "verify":
        result = store.verify()
        if result.ok:
            console.print(f"audit log OK: {result.records_checked} records, hash chain intact")
            return 0
        console.print(
            f"audit log BROKEN at record {result.first_bad_seq}: {result.problem} "
            f"({result.records_checked} records checked)",
            markup=False,
        )
        return 1
    records = store.trail(args.workflow_id)
    if not records:
        raise CliError(f"no audit records for {args.workflow_id}")
    for record in records:
        if args.json:
            print(record.model_dump_json())
        else:
            console.print(
                f"#{record.seq:<5} {record.created_at:%Y-%m-%d %H:%M:%S}  {record.type:<28} "
                f"{json.dumps(record.payload, ensure_ascii=False, default=str)[:160]}",
                markup=False,
                highlight=False,
            )
    return 0


async def cmd_explain(args: argparse.Namespace, settings: Settings) -> int:
    from cli.explain import explain_lines
    from stores.audit import open_audit_store

    client = await _client(settings)
    state = await fetch_state(client, args.workflow_id)
    store = open_audit_store(settings)
    trail = await asyncio.to_thread(store.trail, args.workflow_id)
    verification = await asyncio.to_thread(store.verify)
    for line in explain_lines(state, trail, verification.ok):
        console.print(line, markup=False, highlight=False)
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from cli.demo import run_demo

    return await run_demo(settings, samples_dir=Path(args.samples))


# ---- parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python starter.py",
        description=(
            "vouchflow: supplier invoices become draft bills, with approvals and an audit trail."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("start", help="submit a file, or every file in a directory")
    p.add_argument("path")
    p.add_argument("--submitted-by", default="cli-user", help="who submits (cannot approve it)")
    p.add_argument("--wait", action="store_true", help="wait until it rests, then show the table")

    p = sub.add_parser("status", help="full state of one workflow")
    p.add_argument("workflow_id")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("list", help="list invoice workflows")
    p.add_argument("--awaiting", action="store_true", help="only those awaiting approval")
    p.add_argument("--limit", type=int, default=50)

    p = sub.add_parser("approve", help="approve an invoice awaiting review")
    p.add_argument("workflow_id")
    p.add_argument("--reviewer", required=True)
    p.add_argument("--comment", default="")
    p.add_argument(
        "--corrections", help='JSON of corrected fields, e.g. \'{"invoice_number": "A-1"}\''
    )

    p = sub.add_parser("reject", help="reject an invoice awaiting review")
    p.add_argument("workflow_id")
    p.add_argument("--reviewer", required=True)
    p.add_argument("--reason", required=True)

    p = sub.add_parser("cancel-email", help="stop the pending email")
    p.add_argument("workflow_id")
    p.add_argument("--by", default="cli-user")
    p.add_argument("--reason", default="")

    p = sub.add_parser("revert", help="delete the posted draft bill (compensation)")
    p.add_argument("workflow_id")
    p.add_argument("--by", default="cli-user")
    p.add_argument("--reason", default="")

    p = sub.add_parser("explain", help="why did the system do what it did with this invoice?")
    p.add_argument("workflow_id")

    p = sub.add_parser("extract", help="extract, validate and score a file locally (no workflow)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("audit", help="the append-only audit log")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check the hash chain; non-zero exit if broken")
    show = audit_sub.add_parser("show", help="the audit trail of one workflow")
    show.add_argument("workflow_id")
    show.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "prompt",
        help="versioned prompts: list, show, promote, rollback, verify, lock",
        add_help=False,
    )
    p.add_argument("prompt_args", nargs=argparse.REMAINDER)

    p = sub.add_parser("demo", help="submit the bundled samples and show where each ended")
    p.add_argument(
        "--samples", default=str(Path(__file__).resolve().parent.parent / "samples" / "invoices")
    )

    from cli.watch import add_watch_parsers

    add_watch_parsers(sub)
    return parser


ASYNC_COMMANDS = {
    "start": cmd_start,
    "status": cmd_status,
    "list": cmd_list,
    "approve": cmd_approve,
    "reject": cmd_reject,
    "cancel-email": cmd_cancel_email,
    "revert": cmd_revert,
    "extract": cmd_extract,
    "explain": cmd_explain,
    "demo": cmd_demo,
    "watch": cmd_watch,
    "unwatch": cmd_unwatch,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # `prompt` hands its own arguments (options included) to the prompt CLI.
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "prompt":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    settings = load_settings()
    try:
        if args.command == "audit":
            return cmd_audit(args, settings)
        if args.command == "prompt":
            from prompts.cli import prompt_cli

            return prompt_cli([*args.prompt_args, *extra], settings)
        return asyncio.run(ASYNC_COMMANDS[args.command](args, settings))
    except CliError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
