"""`starter.py prompt list|show|promote|rollback|verify|lock`."""

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
        old = promote(args.name, args.version, args.label, home)
        print(f"{args.name}: {args.label} {old or '(unset)'} -> {args.version}")
        return 0
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
