"""`vouchflow eval run|harvest|record`: the eval suites from the command line.

`run SPEC[@VERSION]` prints one row per metric (metric, target, current, pass/fail) and
exits 1 when any metric misses its target (or a case errored), so it can gate CI and
deploy scripts. Without a version it scores the version the `production` label points to.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from vouchflow.settings import Settings


class EvalCommandError(Exception):
    """An eval command that cannot run; the message says why."""


def add_eval_parsers(sub: Any) -> None:
    p = sub.add_parser("eval", help="eval suites: run (a gate), harvest corrections, record")
    esub = p.add_subparsers(dest="eval_command", required=True, metavar="COMMAND")
    run = esub.add_parser("run", help="score a prompt version against its suite")
    run.add_argument("target", metavar="SPEC[@VERSION]")
    run.add_argument(
        "--provider",
        default="rules",
        help="rules (embedded, default), cassette[:KIND:MODEL] (recorded answers), KIND:MODEL",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="name every missed case")
    run.add_argument("--json", action="store_true")
    harvest = esub.add_parser(
        "harvest", help="append reviewers' corrections from the audit log to regression cases"
    )
    harvest.add_argument("--spec", help="only this spec (default: every spec with corrections)")
    record = esub.add_parser("record", help="record a version's model answers (cassettes)")
    record.add_argument("target", metavar="SPEC@VERSION")
    record.add_argument(
        "--against",
        choices=("live", "fakes"),
        default="live",
        help="live: the real provider with your keys; fakes: the local fake servers",
    )
    record.add_argument("--provider", help="KIND:MODEL (default openai:<the spec's model>)")


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.evals.providers import ProviderError
    from vouchflow.evals.suites import SuiteError
    from vouchflow.prompts.registry import PromptError

    try:
        if args.eval_command == "run":
            return _run(args, settings)
        if args.eval_command == "harvest":
            return _harvest(args, settings)
        return _record(args, settings)
    except (SuiteError, PromptError, ProviderError) as err:
        raise EvalCommandError(str(err)) from None


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.evals.runner import parse_target, resolve_spec, run_suite_sync
    from vouchflow.evals.table import table_lines

    name, version = parse_target(args.target)
    spec = resolve_spec(name, version, settings)
    result = run_suite_sync(spec, args.provider, settings)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        for line in table_lines(result, verbose=args.verbose):
            print(line)
    return 0 if result.passed else 1


def _harvest(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.evals.harvest import INVOICE_SPEC, TICKET_SPEC, harvest
    from vouchflow.stores.audit import open_audit_store

    if args.spec and args.spec not in (INVOICE_SPEC, TICKET_SPEC):
        raise EvalCommandError(
            f"no corrections are harvested for {args.spec!r} (known: {INVOICE_SPEC}, {TICKET_SPEC})"
        )
    results = harvest(open_audit_store(settings), settings, spec=args.spec)
    for r in results:
        print(
            f"{r.spec}: {len(r.added)} new regression case(s), {r.already} already harvested"
            f" -> {r.path}"
        )
        for name in r.added:
            print(f"  + {name}")
        for why in r.skipped:
            print(f"  skipped {why}")
    return 0


def _record(args: argparse.Namespace, settings: Settings) -> int:
    from vouchflow.evals.record import record_suite
    from vouchflow.evals.runner import parse_target
    from vouchflow.prompts.registry import load_spec

    name, version = parse_target(args.target)
    if not version:
        raise EvalCommandError("record needs an explicit version: SPEC@VERSION")
    spec = load_spec(name, version)
    done = asyncio.run(
        record_suite(spec, settings, against=args.against, provider_text=args.provider)
    )
    print(
        f"recorded {done.files} answer(s) for {done.cases} case(s) of {done.spec}"
        f" v{done.version} ({done.provider}, {args.against}) in {done.directory}"
    )
    return 0
