"""The shadow child's run, for every workflow: the candidate (another prompt version or
model) answers the same input as production, beside it, as a child workflow. It acts on
nothing: one answer, one comparison with production's, one `shadow.compared` audit
record under its own workflow id (its parent's trail names it). How the child is started
is in workflows.common.rollout (`start_shadow`).

A workflow's shadow child says only what differs: the activity that answers, the one
that compares, and what of the answer the record shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.rollout import RolloutWorkflow, ShadowComparison, ShadowOutcome
    from schemas.invoice.extraction import TokenUsage
    from workflows.common.failures import failure_message
    from workflows.common.rollout import ShadowTrailState, candidate_label
    from workflows.common.trail import AuditTrail


class ShadowRequest(Protocol):
    """What every shadow child's input names: its parent and its candidate."""

    @property
    def parent_workflow_id(self) -> str: ...
    @property
    def candidate_provider(self) -> str: ...
    @property
    def prompt_name(self) -> str | None: ...
    @property
    def prompt_version(self) -> str | None: ...


class CandidateAnswer(Protocol):
    """An extraction or a classification: what it cost, and whether it failed closed."""

    @property
    def usage(self) -> TokenUsage: ...
    @property
    def failed_closed(self) -> bool: ...
    @property
    def failure_reason(self) -> str | None: ...


AnswerT = TypeVar("AnswerT", bound=CandidateAnswer)


async def run_shadow(
    kind: RolloutWorkflow,
    request: ShadowRequest,
    *,
    production_provider: str,
    answer: Callable[[], Awaitable[AnswerT]],
    compare: Callable[[AnswerT], Awaitable[ShadowComparison]],
    shown: Callable[[AnswerT], dict[str, Any]],
) -> ShadowOutcome:
    """Ask the candidate; compare only an answer that did not fail closed; record the
    outcome (a failure is an outcome too, never an error of the child)."""
    trail = AuditTrail(ShadowTrailState())
    outcome = ShadowOutcome(
        parent_workflow_id=request.parent_workflow_id,
        workflow=kind,
        candidate_provider=request.candidate_provider,
        candidate_prompt_version=request.prompt_version,
        ok=False,
    )
    candidate: AnswerT | None = None
    try:
        candidate = await answer()
    except ActivityError as err:
        outcome.failure = failure_message(err)
    if candidate is not None and candidate.failed_closed:
        outcome.failure = candidate.failure_reason or "the candidate failed closed"
    elif candidate is not None:
        outcome.comparison = await compare(candidate)
        outcome.ok = True
    if candidate is not None:
        outcome.tokens = candidate.usage.input_tokens + candidate.usage.output_tokens
        outcome.cost_micro_usd = candidate.usage.cost_micro_usd
    # Counted into vouchflow_shadow_comparisons_total by the audit activity (once).
    await trail.record(
        "shadow.compared",
        {
            **outcome.model_dump(mode="json"),
            "candidate": candidate_label(
                request.candidate_provider, request.prompt_name, request.prompt_version
            ),
            "agreed": bool(outcome.comparison and outcome.comparison.agree),
            "production_provider": production_provider,
            "candidate_answer": None if candidate is None else shown(candidate),
        },
    )
    return outcome
