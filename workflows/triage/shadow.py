"""The triage shadow run: the candidate classifier (another prompt version or model)
classifies the same ticket as production, beside it, as a child workflow. It acts on
nothing: one classification, one comparison (category, urgency, and where the routing
rules would send each answer), one `shadow.compared` audit record."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.rollout import ShadowComparison, ShadowOutcome
    from schemas.triage.activities import ClassifyTicketInput
    from schemas.triage.classification import ClassificationResult
    from schemas.triage.shadow import CompareTicketShadowInput, TriageShadowInput
    from workflows.common.failures import failure_message
    from workflows.common.options import QUICK
    from workflows.common.rollout import ShadowTrailState, candidate_label
    from workflows.common.trail import AuditTrail
    from workflows.triage.options import CLASSIFY


@workflow.defn(name="TriageShadowWorkflow")
class TriageShadowWorkflow:
    @workflow.run
    async def run(self, request: TriageShadowInput) -> ShadowOutcome:
        trail = AuditTrail(ShadowTrailState())
        outcome = ShadowOutcome(
            parent_workflow_id=request.parent_workflow_id,
            workflow="triage",
            candidate_provider=request.candidate_provider,
            candidate_prompt_version=request.prompt_version,
            ok=False,
        )
        candidate: ClassificationResult | None = None
        try:
            candidate = await workflow.execute_activity(
                "classify_ticket",
                ClassifyTicketInput(
                    workflow_id=workflow.info().workflow_id,
                    ticket=request.ticket,
                    context=request.context,
                    provider=request.candidate_provider,
                    prompt_name=request.prompt_name,
                    prompt_version=request.prompt_version,
                    token_budget_remaining=request.classifier.token_budget_per_workflow,
                    settings=request.classifier,
                ),
                result_type=ClassificationResult,
                **CLASSIFY,
            )
        except ActivityError as err:
            outcome.failure = failure_message(err)
        if candidate is not None and candidate.failed_closed:
            outcome.failure = candidate.failure_reason or "the candidate failed closed"
        elif candidate is not None:
            outcome.comparison = await workflow.execute_activity(
                "compare_ticket_shadow",
                CompareTicketShadowInput(
                    production=request.production,
                    candidate=candidate,
                    plan=request.plan,
                    routing=request.routing,
                ),
                result_type=ShadowComparison,
                **QUICK,
            )
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
                "production_provider": request.production.classifier.name,
                "candidate_answer": None
                if candidate is None
                else {
                    "classifier": candidate.classifier.model_dump(mode="json"),
                    "attempts": [a.model_dump(mode="json") for a in candidate.attempts],
                    "classification": candidate.classification.model_dump(mode="json"),
                },
            },
        )
        return outcome
