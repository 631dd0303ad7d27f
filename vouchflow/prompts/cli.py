"""`starter.py prompt list|show|promote|rollback|verify|lock`.

`promote` is gated: the version's eval suite runs first (recorded model answers by
default, `--eval-provider` to choose) and a failing suite refuses the move unless an
authenticated operator overrides it (`--override --as ID --reason R`, audited).
Rollback is never gated: going back must always be possible.
"""

from __future__ import annotations

import argparse

from vouchflow.prompts.registry import (
    PromptError,
    list_specs,
    load_spec,
    lock_new_specs,
    lock_problems,
    promote,
    read_labels,
    resolve_label,
    rollback,
)
from vouchflow.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prompt", description="Versioned prompt specs.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every spec version and the labels pointing at it")
    show = sub.add_parser("show", help="one spec (the production version by default)")
    show.add_argument("name")
    show.add_argument("--version")
    show.add_argument("--label", default="production")
    prom = sub.add_parser("promote", help="point a label at a version (no redeploy)")
    prom.add_argument("name")
    prom.add_argument("version")
    prom.add_argument("--label", default="production")
    prom.add_argument(
        "--eval-provider",
        default="cassette",
        help="answers the gate's suite runs on: cassette (recorded, default), rules, KIND:MODEL",
    )
    prom.add_argument(
        "--override", action="store_true", help="promote although the suite fails (audited)"
    )
    prom.add_argument("--as", dest="as_person", metavar="ID", help="who overrides (your key)")
    prom.add_argument("--key", metavar="FILE", help="your private key")
    prom.add_argument("--reason", default="", help="why the override (kept in the audit log)")
    back = sub.add_parser("rollback", help="move a label to its version's rollback_version")
    back.add_argument("name")
    back.add_argument("--label", default="production")
    sub.add_parser("verify", help="check that released spec files were never edited")
    sub.add_parser("lock", help="release new spec files (pin their sha256)")
    return parser


def prompt_cli(argv: list[str], settings: Settings) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on bad usage
        return int(exc.code or 0)
    try:
        return _run(args, settings)
    except PromptError as exc:
        print(f"error: {exc}")
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    home = settings.home
    if args.command == "list":
        labels = read_labels(home)
        for spec in list_specs():
            names = sorted(k for k, v in labels.get(spec.name, {}).items() if v == spec.version)
            tag = f"  [{', '.join(names)}]" if names else ""
            back = f" rollback->{spec.rollback_version}" if spec.rollback_version else ""
            print(f"{spec.name} v{spec.version}  model={spec.model}{back}{tag}")
        return 0
    if args.command == "show":
        spec = (
            load_spec(args.name, args.version)
            if args.version
            else resolve_label(args.name, args.label, home)
        )
        for key, value in spec.model_dump(
            exclude={"system", "template", "repair_template"}
        ).items():
            print(f"{key}: {value}")
        print("\n--- system ---\n" + spec.system.strip())
        print("\n--- template ---\n" + spec.template.strip())
        return 0
    if args.command == "promote":
        return _promote(args, settings)
    if args.command == "rollback":
        before = resolve_label(args.name, args.label, home)
        target = rollback(args.name, args.label, home)
        print(f"{args.name}: {args.label} {before.version} -> {target.version} (rollback)")
        return 0
    if args.command == "verify":
        problems = lock_problems()
        for problem in problems:
            print(problem)
        print("ok" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    if args.command == "lock":
        added = lock_new_specs()
        print("released: " + (", ".join(added) if added else "nothing new"))
        return 0
    return 2


def _promote(args: argparse.Namespace, settings: Settings) -> int:
    """Run the suite, refuse or (with a proven override) allow, audit, then move."""
    from vouchflow.cli.identity import IdentityError, resolve_signer
    from vouchflow.evals.gate import (
        GateRefused,
        Override,
        audit_promotion,
        check_promotion,
        gate_subject,
    )
    from vouchflow.evals.runner import run_suite_sync
    from vouchflow.evals.suites import SuiteError
    from vouchflow.evals.table import table_lines

    spec = load_spec(args.name, args.version)
    try:
        run = run_suite_sync(spec, args.eval_provider, settings)
    except (SuiteError, ValueError) as err:
        print(f"error: promotion refused: the eval suite could not run: {err}")
        return 1
    for line in table_lines(run):
        print(line)
    override = None
    if args.override and not run.passed:
        try:
            signer = resolve_signer(settings, args.as_person, args.key)
        except IdentityError as err:
            print(f"error: override refused: {err}")
            return 3
        override = Override(token=signer.token(gate_subject(spec), "override"), reason=args.reason)
    try:
        actor = check_promotion(spec, run, override, settings.home)
    except GateRefused as err:
        print(f"error: promotion refused: {err}")
        return 3
    audit_promotion(settings, spec, args.label, run, actor=actor, reason=args.reason)
    old = promote(args.name, args.version, args.label, settings.home)
    how = f" (override by {actor.person}: {args.reason})" if actor else ""
    print(f"{args.name}: {args.label} {old or '(unset)'} -> {args.version}{how}")
    return 0
