"""`vouchflow rollout show|set|report`: each model-calling workflow's rollout stage, and
the shadow agreement of its candidate.

`set` is an operator action: the operator's own key signs an `operate` token bound to
the workflow's rollout, verified against the trusted keys, checked against the operator
list, and written to the audit log before the stage file changes. Runs already started
keep the stage they pinned; new runs use the new one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from schemas.common.audit import AuditEntry
from schemas.common.rollout import ROLLOUT_WORKFLOWS, STAGES, RolloutSetting
from vouchflow.cli.identity import resolve_signer
from vouchflow.identity.keys import load_trusted
from vouchflow.identity.tokens import ProofRefused, verify_decision_token
from vouchflow.rollout.config import operator_refusal
from vouchflow.rollout.report import agreement_lines, shadow_agreement
from vouchflow.rollout.stages import RolloutError, read_stages, set_stage
from vouchflow.settings import Settings
from vouchflow.stores.audit import open_audit_store


class RolloutCommandError(Exception):
    """A rollout command that cannot be carried out; the message says why."""


def add_rollout_parsers(sub: Any) -> None:
    p = sub.add_parser("rollout", help="rollout stages (shadow, suggest, partial, full)")
    rsub = p.add_subparsers(dest="rollout_command", required=True, metavar="COMMAND")
    show = rsub.add_parser("show", help="each workflow's stage and candidate")
    show.add_argument("--json", action="store_true")
    st = rsub.add_parser("set", help="set a workflow's stage (new runs; audited)")
    st.add_argument("workflow", choices=ROLLOUT_WORKFLOWS)
    st.add_argument("stage", choices=STAGES)
    st.add_argument("--candidate", metavar="PROVIDER", help="shadow: e.g. openai:gpt-5-mini")
    st.add_argument("--candidate-prompt-version", metavar="V", help="shadow: a prompt version")
    st.add_argument(
        "--candidate-label", default="candidate", help="shadow: else this prompt label's version"
    )
    st.add_argument("--as", dest="as_person", metavar="ID", help="who sets it (your key)")
    st.add_argument("--key", metavar="FILE", help="your private key")
    st.add_argument("--reason", default="")
    rep = rsub.add_parser("report", help="shadow agreement of each candidate")
    rep.add_argument("--workflow", choices=ROLLOUT_WORKFLOWS)
    rep.add_argument("--json", action="store_true")


def cmd_rollout(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.rollout_command == "show":
            return _show(settings, as_json=args.json)
        if args.rollout_command == "set":
            return _set(settings, args)
        return _report(settings, workflow=args.workflow, as_json=args.json)
    except RolloutError as err:
        raise RolloutCommandError(str(err)) from None


def _show(settings: Settings, *, as_json: bool) -> int:
    stages = read_stages(settings.home)
    if as_json:
        print(json.dumps({k: v.model_dump(mode="json") for k, v in stages.items()}, indent=2))
        return 0
    for name, s in stages.items():
        line = f"{name:<8} {s.stage}"
        if s.stage == "shadow":
            prompt = s.candidate_prompt_version or f"label {s.candidate_prompt_label}"
            line += f"  candidate {s.candidate_provider} (prompt {prompt})"
        if s.set_by:
            line += f"  set by {s.set_by} at {s.set_at:%Y-%m-%d %H:%M} UTC" if s.set_at else ""
        print(line)
    return 0


def _set(settings: Settings, args: argparse.Namespace) -> int:
    subject = f"rollout:{args.workflow}"
    signer = resolve_signer(settings, args.as_person, args.key)
    token = signer.token(subject, "operate")
    try:
        actor = verify_decision_token(
            token, trusted=load_trusted(settings.home), workflow_id=subject, action="operate"
        )
    except ProofRefused as err:
        raise RolloutCommandError(f"stage change refused: {err}") from None
    refusal = operator_refusal(settings, actor.person)
    if refusal:
        raise RolloutCommandError(f"stage change refused: {refusal}")
    now = dt.datetime.now(dt.UTC)
    setting = RolloutSetting(
        stage=args.stage,
        candidate_provider=args.candidate if args.stage == "shadow" else None,
        candidate_prompt_version=args.candidate_prompt_version,
        candidate_prompt_label=args.candidate_label,
        set_by=actor.person,
        set_at=now,
        reason=args.reason,
    )
    if setting.stage == "shadow" and not setting.candidate_provider:
        raise RolloutCommandError("the shadow stage needs a candidate (--candidate PROVIDER)")
    previous = read_stages(settings.home)[args.workflow]
    # Audit before effect: the change and who made it, before the stage file moves.
    open_audit_store(settings).append(
        AuditEntry(
            workflow_id=subject,
            run_id="cli",
            type="rollout.stage_set",
            payload={
                "workflow": args.workflow,
                "from": previous.model_dump(mode="json"),
                "to": setting.model_dump(mode="json"),
                "actor": actor.person,
                "token_id": actor.token_id,
                "channel": actor.channel,
            },
            idempotency_key=f"{subject}:stage:{actor.token_id}",
        ),
        now=now,
    )
    set_stage(settings.home, args.workflow, setting)
    print(
        f"{args.workflow}: {previous.stage} -> {setting.stage} by {actor.person}"
        + (f" (candidate {setting.candidate_provider})" if setting.candidate_provider else "")
        + "; runs already started keep their stage"
    )
    return 0


def _report(settings: Settings, *, workflow: str | None, as_json: bool) -> int:
    records = open_audit_store(settings).all_records()
    rows = [r for r in shadow_agreement(records) if workflow in (None, r.workflow)]
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "workflow": r.workflow,
                        "candidate": r.candidate,
                        "compared": r.compared,
                        "agreed": r.agreed,
                        "failed": r.failed,
                        "agreement": r.rate,
                        "fields": {n: r.field_rate(n) for n in sorted(r.field_compared)},
                        "routes_agreed": r.routes_agreed,
                        "routes_compared": r.routes_compared,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    for line in agreement_lines(rows):
        print(line)
    return 0
