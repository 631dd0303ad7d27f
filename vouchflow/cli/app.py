"""`python starter.py COMMAND ...`: start, watch and decide on invoice workflows.

Every failure is one line on stderr (``error: ...``) and a non-zero exit: 1 for an
error, 2 for a malformed command line, 3 for a decision the workflow refused,
130 when interrupted. Set VOUCHFLOW_DEBUG=1 to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import mimetypes
import os
import stat
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from schemas.common.decisions import DecisionReply, DecisionRequest
from schemas.invoice.workflow import RESTING_STATUSES, InvoiceState
from vouchflow.cli import workflow_commands
from vouchflow.cli.identity import (
    IdentityError,
    Signer,
    add_identity_parsers,
    cmd_identity,
    cmd_token,
    resolve_signer,
)
from vouchflow.cli.render import console, listing_row, listing_table, status_lines, summary_table
from vouchflow.cli.watch import cmd_unwatch, cmd_watch
from vouchflow.cli.workflow_commands import DECISION_TIMEOUT_S, EXIT_REFUSED
from vouchflow.identity.tokens import MAX_TTL
from vouchflow.runtime import search_attributes as sa
from vouchflow.runtime.errors import one_line, user_message
from vouchflow.settings import Settings, load_settings

SUPPORTED_SUFFIXES = {".pdf", ".txt", ".xml", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
QUERY_TIMEOUT = dt.timedelta(seconds=10)
EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


class NoWorker(CliError):
    """Temporal is up but no worker answers (queries and updates need one)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a malformed command line is one line on stderr (exit 2)."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see `{self.prog} --help`)"
        print(f"error: {one_line(message)}{hint}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


async def _client(settings: Settings) -> Client:
    return await workflow_commands.connect(settings, CliError)


def _not_found(err: RPCError) -> bool:
    return err.status == RPCStatusCode.NOT_FOUND


async def fetch_state(client: Client, workflow_id: str) -> InvoiceState:
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    try:
        return await handle.query("status", result_type=InvoiceState, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as err:
        if _not_found(err):
            raise CliError(f"no workflow with id {workflow_id[:200]}") from err
        if err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
            raise NoWorker(
                f"no worker answered for {workflow_id[:200]} within "
                f"{QUERY_TIMEOUT.total_seconds():.0f} s (is the worker running? `make up`)"
            ) from err
        raise


def collect_files(path: Path) -> list[Path]:
    """A file named by a person, or the regular files directly in a directory.

    Entries of a directory that are links, FIFOs or devices are skipped (never
    followed); a file named explicitly may be a link (the person chose it).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CliError(f"no such file or directory: {path}") from None
    except OSError as err:
        raise CliError(f"{path}: {user_message(err)}") from None
    if stat.S_ISDIR(info.st_mode):
        found = []
        for entry in sorted(path.iterdir()):
            if entry.name.startswith(".") or entry.suffix.lower() in {".json", ".md"}:
                continue
            try:
                mode = entry.lstat().st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode):
                found.append(entry)
        return found
    if not stat.S_ISREG(info.st_mode):
        raise CliError(f"{path} is not a regular file")
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


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


# ---- commands ---------------------------------------------------------------------------


def submitter_signer(settings: Settings, person: str, key_file: str | None) -> Signer | None:
    """The submitter's signer, or None (submitted unproven) when they have no credential."""
    try:
        return resolve_signer(settings, person, key_file)
    except IdentityError:
        if key_file:
            raise
        return None


async def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from schemas.common.documents import BlobRef
    from vouchflow.documents.blobs import LocalBlobStore
    from vouchflow.runtime.submit import FileRefused, store_file, submit_stored

    path = Path(args.path)
    files = collect_files(path)
    if not files:
        raise CliError(f"no documents in {args.path}")
    person = args.as_person or args.submitted_by or os.environ.get("VOUCHFLOW_IDENTITY") or ""
    person = person or "cli-user"
    signer = submitter_signer(settings, person, args.key)
    blobs = LocalBlobStore(settings.blob_dir)
    explicit = files == [path]
    # Files are checked and stored first: a refused file costs no connection, and
    # nothing is submitted half-read.
    stored: list[tuple[Path, BlobRef]] = []
    refused: list[str] = []
    for file in files:
        try:
            ref = await asyncio.to_thread(
                store_file,
                blobs,
                file,
                max_bytes=settings.intake.max_file_bytes,
                follow_symlinks=explicit,
                content_type=mimetypes.guess_type(file.name)[0],
            )
        except (FileRefused, FileNotFoundError) as err:
            refused.append(user_message(err))
            continue
        stored.append((file, ref))
    submissions = []
    if stored:
        client = await _client(settings)
        sign = _submission_signer(signer)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("submitting", total=len(stored))
            for file, ref in stored:
                submissions.append(
                    await submit_stored(
                        client,
                        settings,
                        ref,
                        filename=file.name,
                        source="cli",
                        submitted_by=signer.person if signer else person,
                        sign_submission=sign,
                    )
                )
                progress.advance(task)
    for s in submissions:
        verb = "started" if s.started else "already submitted (attached)"
        console.print(f"{s.workflow_id}  {s.filename}  {verb}", markup=False, highlight=False)
    if submissions and signer is None:
        _note(
            f"{person[:64]} has no credential here: submitted unproven (four-eyes cannot "
            f"count them as the submitter; create one with `identity add`)"
        )
    for reason in refused:
        print(f"error: not submitted: {reason}", file=sys.stderr)
    if submissions and (args.wait or len(files) > 1):
        states = await wait_until_resting(client, [s.workflow_id for s in submissions])
        console.print(summary_table(states))
    return EXIT_ERROR if refused else 0


def _submission_signer(signer: Signer | None) -> Callable[[str], str] | None:
    if signer is None:
        return None

    def sign(workflow_id: str) -> str:
        # Generous lifetime: the worker checks it when the workflow starts, maybe later.
        return signer.token(workflow_id, "submit", ttl=MAX_TTL)

    return sign


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
    """Every vouchflow workflow (invoices, tickets, ...) from one visibility query: they
    share the VouchflowStatus attribute, and Temporal's WorkflowType tells them apart."""
    client = await _client(settings)
    clauses = [f"{sa.STATUS.name} IS NOT NULL"]
    if args.awaiting:
        clauses = [f"{sa.STATUS.name} = 'awaiting_approval'"]
    if args.type:
        clauses.append(f"WorkflowType = '{_WORKFLOW_TYPES[args.type]}'")
    rows: list[list[str]] = []
    async for wf in client.list_workflows(" AND ".join(clauses), limit=args.limit):
        rows.append(listing_row(wf.workflow_type, wf.id, wf.typed_search_attributes))
    title = "Awaiting a person" if args.awaiting else "Workflows"
    console.print(listing_table(rows, title=title))
    return 0


_WORKFLOW_TYPES = {"invoice": "InvoiceWorkflow", "ticket": "TriageWorkflow"}


# ---- decisions ------------------------------------------------------------------------------


def decision_signer(args: argparse.Namespace, settings: Settings) -> Signer:
    legacy = getattr(args, "legacy_person", None)
    if legacy and not args.as_person:
        _note("--reviewer/--by are deprecated; use --as (your key file is the proof)")
    return resolve_signer(settings, args.as_person or legacy, args.key)


async def send_decision(
    settings: Settings, workflow_id: str, signer: Signer, request: DecisionRequest
) -> DecisionReply:
    """Send one decision through the workflow's `decide` update and return its answer."""
    client = await _client(settings)
    # Fails fast (10 s) when no worker runs, instead of the update's longer wait.
    await fetch_state(client, workflow_id)
    try:
        return await workflow_commands.send_decision(client, workflow_id, request, signer.person)
    except TimeoutError:
        raise CliError(
            f"the workflow did not answer within {DECISION_TIMEOUT_S:.0f} s "
            "(is a worker running? `make up`)"
        ) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise CliError("the decision timed out before the workflow answered") from None
    except RPCError as err:
        if not _not_found(err) and "already completed" not in err.message:
            raise
        # Updates to a finished workflow come back as NOT_FOUND too: tell the two apart.
        finished = await _finished_status(client, workflow_id)
        if finished is None:
            raise CliError(f"no workflow with id {workflow_id[:200]}") from None
        return DecisionReply(
            kind=request.kind,
            accepted=False,
            actor=signer.person,
            reason=f"the workflow has finished ({finished}): it takes no more decisions",
            status=finished,
        )


async def _finished_status(client: Client, workflow_id: str) -> str | None:
    """The status of a workflow that exists but has ended, or None if there is none."""
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    try:
        description = await handle.describe()
    except RPCError as err:
        if _not_found(err):
            return None
        raise
    if description.status is None or description.status.name == "RUNNING":
        return None
    try:
        return (await handle.query("status", result_type=InvoiceState)).status
    except Exception:  # no worker to answer the query: Temporal's own status will do
        return description.status.name.lower()


async def _settled_status(client: Client, workflow_id: str, before: str) -> InvoiceState | None:
    """The state once an accepted decision has taken effect (a few seconds at most)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    state: InvoiceState | None = None
    while loop.time() < deadline:
        try:
            state = await fetch_state(client, workflow_id)
        except (CliError, RPCError):
            return state
        if state.status != before and state.status in RESTING_STATUSES:
            return state
        await asyncio.sleep(0.25)
    return state


async def _report(settings: Settings, workflow_id: str, reply: DecisionReply) -> int:
    kind = reply.kind.replace("_", "-")
    if reply.accepted:
        _line(f"{kind} accepted for {workflow_id} by {reply.actor}: {one_line(reply.reason)}")
        state = None
        if reply.status == "awaiting_approval":
            state = await _settled_status(await _client(settings), workflow_id, reply.status)
        if state is not None:
            _line(f"status: {state.status} - {one_line(state.status_reason)}")
        else:
            _line(f"status: {reply.status}")
        return 0
    _line(f"{kind} REFUSED for {workflow_id}: {one_line(reply.reason)}")
    return EXIT_REFUSED


def _line(text: str) -> None:
    """One line, never folded by the console (commands and ids must stay copyable)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


async def _decide(args: argparse.Namespace, settings: Settings, kind: str, **fields: Any) -> int:
    signer = decision_signer(args, settings)
    workflow_id = args.workflow_id
    token = signer.token(workflow_id, kind, channel="cli")
    try:
        request = DecisionRequest(kind=kind, token=token, channel="cli", **fields)
    except ValueError as err:
        raise CliError(user_message(err)) from None
    reply = await send_decision(settings, workflow_id, signer, request)
    return await _report(settings, workflow_id, reply)


def parse_corrections(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise CliError(f"--corrections: {user_message(err)}") from None
    if not isinstance(value, dict):
        raise CliError(
            '--corrections must be a JSON object of fields, e.g. \'{"invoice_number": "A-1"}\''
        )
    return value


async def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    corrections = parse_corrections(args.corrections)
    return await _decide(
        args,
        settings,
        "approve",
        comment=args.comment,
        corrections=corrections,
        override_errors=args.override_errors,
    )


async def cmd_reject(args: argparse.Namespace, settings: Settings) -> int:
    if not args.reason.strip():
        raise CliError("--reason must say why the invoice is rejected")
    return await _decide(args, settings, "reject", reason=args.reason)


async def cmd_cancel_email(args: argparse.Namespace, settings: Settings) -> int:
    return await _decide(args, settings, "cancel_email", reason=args.reason)


async def cmd_revert(args: argparse.Namespace, settings: Settings) -> int:
    return await _decide(args, settings, "revert", reason=args.reason)


# ---- local commands ----------------------------------------------------------------------


async def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.local_extract import extract_locally

    result = await extract_locally(Path(args.file), settings)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        console.print_json(data=result, default=str)
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.stores.audit import AuditRowError, open_audit_store

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
            highlight=False,
        )
        return EXIT_ERROR
    try:
        records = store.trail(args.workflow_id)
    except AuditRowError as err:
        raise CliError(str(err)) from None
    if not records:
        raise CliError(f"no audit records for {args.workflow_id[:200]}")
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
    # From the audit trail and the blob store alone: the same answer after Temporal's
    # retention has dropped the run (vouchflow/cli/explain_audit.py).
    from vouchflow.cli.explain import explain_workflow

    for line in await asyncio.to_thread(explain_workflow, settings, args.workflow_id):
        console.print(line, markup=False, highlight=False)
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.cli.demo import run_demo

    return await run_demo(settings, samples_dir=Path(args.samples))


# ---- parser ---------------------------------------------------------------------------------


def _add_signer_args(p: argparse.ArgumentParser, legacy: str) -> None:
    p.add_argument(
        "--as",
        dest="as_person",
        metavar="ID",
        help="who decides: your person id (default: $VOUCHFLOW_IDENTITY)",
    )
    p.add_argument(
        "--key",
        metavar="FILE",
        help="your private key (default: $VOUCHFLOW_IDENTITY_KEY, else the state directory's)",
    )
    p.add_argument(legacy, dest="legacy_person", metavar="ID", help="deprecated: same as --as")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python starter.py",
        description=(
            "vouchflow: supplier invoices become draft bills, with approvals and an audit trail."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("start", help="submit a file, or every file in a directory")
    p.add_argument("path")
    p.add_argument(
        "--as",
        dest="as_person",
        metavar="ID",
        help="who submits (signed with their credential when they have one; cannot approve it)",
    )
    p.add_argument("--submitted-by", metavar="ID", help="same as --as")
    p.add_argument("--key", metavar="FILE", help="the submitter's private key file")
    p.add_argument("--wait", action="store_true", help="wait until it rests, then show the table")

    p = sub.add_parser("status", help="full state of one workflow")
    p.add_argument("workflow_id")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("list", help="list workflows (invoices and tickets)")
    p.add_argument("--awaiting", action="store_true", help="only those awaiting a person")
    p.add_argument("--type", choices=sorted(_WORKFLOW_TYPES), help="only this kind")
    p.add_argument("--limit", type=_positive_int, default=50)

    p = sub.add_parser("approve", help="approve an invoice awaiting review")
    p.add_argument("workflow_id")
    _add_signer_args(p, "--reviewer")
    p.add_argument("--comment", default="")
    p.add_argument(
        "--corrections", help='JSON of corrected fields, e.g. \'{"invoice_number": "A-1"}\''
    )
    p.add_argument(
        "--override-errors",
        action="store_true",
        help="approve although validation errors remain (approvers allowed to override)",
    )

    p = sub.add_parser("reject", help="reject an invoice awaiting review")
    p.add_argument("workflow_id")
    _add_signer_args(p, "--reviewer")
    p.add_argument("--reason", required=True)

    p = sub.add_parser("cancel-email", help="stop the pending email")
    p.add_argument("workflow_id")
    _add_signer_args(p, "--by")
    p.add_argument("--reason", default="")

    p = sub.add_parser("revert", help="delete the posted draft bill (compensation)")
    p.add_argument("workflow_id")
    _add_signer_args(p, "--by")
    p.add_argument("--reason", default="")

    p = sub.add_parser("explain", help="why did the system do what it did (invoice or ticket)?")
    p.add_argument("workflow_id")

    p = sub.add_parser("extract", help="extract, validate and score a file locally (no workflow)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("audit", help="the append-only audit log")
    audit_sub = p.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
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

    add_identity_parsers(sub)

    from vouchflow.cli.watch import add_watch_parsers

    add_watch_parsers(sub)

    from vouchflow.triage.cli import add_triage_commands

    add_triage_commands(sub)

    from vouchflow.proposal.cli import add_proposal_commands

    add_proposal_commands(sub)

    from vouchflow.cli.templates import add_template_parsers

    add_template_parsers(sub)

    from vouchflow.cli.evals import add_eval_parsers

    add_eval_parsers(sub)

    from vouchflow.cli.rollout import add_rollout_parsers
    from vouchflow.cli.runs import add_runs_parsers

    add_rollout_parsers(sub)
    add_runs_parsers(sub)

    from vouchflow.cli.failed import add_failed_parsers

    add_failed_parsers(sub)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return value


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
    try:
        # `prompt` hands its own arguments (options included) to the prompt CLI.
        args, extra = parser.parse_known_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_USAGE
    if extra and args.command != "prompt":
        try:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        except SystemExit:
            return EXIT_USAGE
    try:
        try:
            settings = load_settings()
        except Exception as err:
            raise CliError(f"configuration: {user_message(err)}") from err
        return _dispatch(args, extra, settings)
    except (CliError, IdentityError) as err:
        _error(str(err))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except RPCError as err:
        _error(f"Temporal: {user_message(err)}")
        return EXIT_ERROR
    except Exception as err:  # anything else: one line, never a traceback
        if os.environ.get("VOUCHFLOW_DEBUG"):
            traceback.print_exc()
        _error(user_message(err))
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace, extra: list[str], settings: Settings) -> int:
    if args.command == "audit":
        return cmd_audit(args, settings)
    if args.command == "identity":
        return cmd_identity(args, settings)
    if args.command == "token":
        return cmd_token(args, settings)
    if args.command == "prompt":
        from vouchflow.prompts.cli import prompt_cli

        return prompt_cli([*args.prompt_args, *extra], settings)
    if args.command == "triage":
        from vouchflow.triage.cli import run_triage

        return run_triage(args, settings)
    if args.command == "propose":
        from vouchflow.proposal.cli import ProposalCliError, run_propose

        try:
            return run_propose(args, settings)
        except ProposalCliError as err:
            raise CliError(str(err)) from None
    if args.command == "eval":
        from vouchflow.cli.evals import EvalCommandError, cmd_eval

        try:
            return cmd_eval(args, settings)
        except EvalCommandError as err:
            raise CliError(str(err)) from None
    if args.command in ("rollout", "runs", "rerun"):
        from vouchflow.cli.runs import dispatch_rollout

        return dispatch_rollout(args, settings)
    if args.command == "failed":
        from vouchflow.cli.failed import dispatch_failed

        return dispatch_failed(args, settings)
    if args.command == "templates":
        from vouchflow.cli.templates import TemplateCommandError, cmd_templates

        try:
            return cmd_templates(args, settings)
        except TemplateCommandError as err:
            raise CliError(str(err)) from None
    return asyncio.run(ASYNC_COMMANDS[args.command](args, settings))


def _error(message: str) -> None:
    print(f"error: {one_line(message)}", file=sys.stderr)


def run() -> None:
    """The `vouchflow` console script (and starter.py): exit without racing the Temporal
    runtime's threads at interpreter shutdown."""
    from vouchflow.runtime.exit import exit_process

    exit_process(main())
