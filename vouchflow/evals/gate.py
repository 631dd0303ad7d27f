"""The promotion gate: a prompt version moves to a label only when its suite passes.

A failing suite can still be promoted by an authenticated operator (an emergency, a
metric whose target is being changed): their own key signs an `override` token bound to
`prompt:<name>@<version>`, verified against the trusted keys like any decision, and the
override is written to the audit log, with the failing metrics, before the label moves.
Every promotion is audited with its suite result.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from schemas.common.audit import AuditEntry
from vouchflow.evals.runner import SuiteRun
from vouchflow.identity.keys import load_trusted
from vouchflow.identity.tokens import ProofRefused, VerifiedActor, verify_decision_token
from vouchflow.prompts.registry import PromptSpec, read_labels
from vouchflow.settings import Settings
from vouchflow.stores.audit import open_audit_store


class GateRefused(Exception):
    """The version may not be promoted; the message says why."""


class Override(BaseModel):
    """What an operator gives to promote despite a failing suite."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    token: str
    reason: str


def gate_subject(spec: PromptSpec) -> str:
    return f"prompt:{spec.name}@{spec.version}"


def verify_override(spec: PromptSpec, override: Override, home: Path) -> VerifiedActor:
    if not override.reason.strip():
        raise GateRefused("an override needs a reason (--reason)")
    try:
        return verify_decision_token(
            override.token,
            trusted=load_trusted(home),
            workflow_id=gate_subject(spec),
            action="override",
        )
    except ProofRefused as err:
        raise GateRefused(f"override refused: {err}") from None


def _summary(run: SuiteRun) -> dict[str, object]:
    return {
        "provider": run.provider,
        "cases": run.cases,
        "passed": run.passed,
        "metrics": {
            m.name: {"target": m.target, "value": m.value, "passed": m.passed} for m in run.metrics
        },
        "errored": run.errored[:20],
    }


def audit_promotion(
    settings: Settings,
    spec: PromptSpec,
    label: str,
    run: SuiteRun,
    *,
    actor: VerifiedActor | None,
    reason: str = "",
) -> None:
    """Audit before effect: the record is written before the label moves."""
    previous = read_labels(settings.home).get(spec.name, {}).get(label)
    now = dt.datetime.now(dt.UTC)
    payload: dict[str, object] = {
        "prompt": spec.name,
        "version": spec.version,
        "label": label,
        "from": previous,
        "suite": _summary(run),
    }
    kind = "prompt.promoted"
    if actor is not None:
        kind = "prompt.promote_override"
        payload |= {
            "actor": actor.person,
            "token_id": actor.token_id,
            "channel": actor.channel,
            "reason": reason,
            "failing_metrics": [m.name for m in run.metrics if not m.passed],
        }
    open_audit_store(settings).append(
        AuditEntry(
            workflow_id=gate_subject(spec),
            run_id="cli",
            type=kind,
            payload=payload,
            idempotency_key=f"{gate_subject(spec)}:{label}:{kind}:{now.isoformat()}",
        ),
        now=now,
    )


def check_promotion(
    spec: PromptSpec, run: SuiteRun, override: Override | None, home: Path
) -> VerifiedActor | None:
    """None when the suite passes; the proven operator when a failing suite is overridden;
    GateRefused otherwise."""
    if run.passed:
        return None
    missed = ", ".join(m.name for m in run.metrics if not m.passed) or "cases errored"
    if override is None:
        raise GateRefused(
            f"{spec.name} v{spec.version} fails its eval suite ({missed}); fix the prompt, "
            "or override with --override --as ID --reason R (audited)"
        )
    return verify_override(spec, override, home)
