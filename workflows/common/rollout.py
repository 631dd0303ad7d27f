"""Pinning a run's rollout stage, and the shadow child every workflow starts the same way.

Behind `workflow.patched(ROLLOUT_STAGES)`: a run started before stages existed replays
without the activity and behaves as `full`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.effects import EffectRecord
    from schemas.common.rollout import (
        RerunContext,
        RerunContextInput,
        RerunInfo,
        RerunRequest,
        ResolveRolloutInput,
        RolloutPin,
        RolloutWorkflow,
    )
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.options import QUICK, ROLLOUT_STAGES, SHADOW_CHILD_RUN
    from workflows.common.trail import AuditTrail


class ShadowTrailState(BaseModel):
    """What a shadow child's audit trail keeps (it has no effects)."""

    model_config = ConfigDict(extra="forbid")

    effects: list[EffectRecord] = Field(default_factory=list)
    audit_records: int = 0


async def pin_rollout(
    trail: AuditTrail, kind: RolloutWorkflow, prompt_name: str | None
) -> RolloutPin | None:
    """This run's stage, read once (history keeps the answer); None for old runs."""
    if not workflow.patched(ROLLOUT_STAGES):
        return None
    pin = await workflow.execute_activity(
        "resolve_rollout",
        ResolveRolloutInput(workflow=kind, prompt_name=prompt_name),
        result_type=RolloutPin,
        **QUICK,
    )
    await trail.record("rollout.pinned", pin.model_dump(mode="json"), defer=True)
    return pin


class ShadowingState(Protocol):
    """The part of a workflow's state its shadow stage reads and writes."""

    shadow_workflow_id: str | None

    @property
    def rollout(self) -> RolloutPin | None: ...
    @property
    def rerun(self) -> RerunInfo | None: ...


def candidate_label(provider: str, prompt_name: str | None, version: str | None) -> str:
    """How a candidate is named in records and metrics: `openai:gpt-5-mini invoice_extraction@3`."""
    return provider + (f" {prompt_name}@{version}" if prompt_name and version else "")


def shadow_child_id(rerun_number: int | None) -> str:
    """Derived from the parent's id (and its re-run), never random: deterministic."""
    parent = workflow.info().workflow_id
    return f"{parent}-shadow" + (f"-rerun-{rerun_number}" if rerun_number else "")


async def start_shadow(
    trail: AuditTrail,
    workflow_type: str,
    arg: Any,
    *,
    child_id: str,
    candidate: str,
    prompt_version: str | None,
) -> None:
    """Start the candidate beside production and go on without waiting: it acts on
    nothing and records its own agreement. Abandoned, not cancelled, when the parent
    ends first; a failure to start it never stops production."""
    try:
        await workflow.start_child_workflow(
            workflow_type,
            arg,
            id=child_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            run_timeout=SHADOW_CHILD_RUN,
        )
    except Exception as err:  # e.g. an id still running from an earlier attempt
        await trail.record(
            "shadow.not_started",
            {"child_workflow_id": child_id, "reason": f"{type(err).__name__}: {err}"[:300]},
            defer=True,
        )
        return
    await trail.record(
        "shadow.started",
        {
            "child_workflow_id": child_id,
            "candidate_provider": candidate,
            "candidate_prompt_version": prompt_version,
        },
        defer=True,
    )


async def shadow_beside(
    trail: AuditTrail,
    state: ShadowingState,
    workflow_type: str,
    make_input: Callable[[RolloutPin, str], Any],
) -> None:
    """The shadow stage: when this run pinned it with a candidate, the candidate answers
    the same input beside production (`make_input(pin, candidate_provider)`), as a child
    workflow named after the run (start_shadow)."""
    pin = state.rollout
    if pin is None or pin.stage != "shadow" or not pin.candidate_provider:
        return
    child_id = shadow_child_id(state.rerun.context.number if state.rerun is not None else None)
    state.shadow_workflow_id = child_id
    await start_shadow(
        trail,
        workflow_type,
        make_input(pin, pin.candidate_provider),
        child_id=child_id,
        candidate=pin.candidate_provider,
        prompt_version=pin.candidate_prompt_version,
    )


async def begin_rerun(
    desk: DecisionDesk, trail: AuditTrail, rerun: RerunRequest
) -> RerunInfo | str:
    """An operator's re-run, proven (a `rerun` token bound to this workflow) and allowed
    (the worker's operator list), with what the earlier runs did read from the audit log;
    or the reason it is refused. Nothing is read or done before this answer."""
    verified = await desk.verify("rerun", rerun.token, rerun.operator)
    if not verified.ok:
        return verified.reason
    context = await workflow.execute_activity(
        "load_rerun_context",
        RerunContextInput(workflow_id=workflow.info().workflow_id, operator=verified.actor),
        result_type=RerunContext,
        **QUICK,
    )
    if context.refusal:
        return context.refusal
    await trail.record(
        "rerun.started",
        {
            "operator": verified.actor,
            "channel": verified.channel,
            "token_id": verified.token_id,
            "prompt_version": rerun.prompt_version,
            "reason": rerun.reason,
            "context": context.model_dump(mode="json"),
        },
    )
    return RerunInfo(
        operator=verified.actor,
        prompt_version=rerun.prompt_version,
        reason=rerun.reason,
        context=context,
    )
