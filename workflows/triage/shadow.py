"""The triage shadow run: the candidate classifier (another prompt version or model)
classifies the same ticket as production, beside it, as a child workflow; the two are
compared on category, urgency, and where the routing rules would send each answer
(workflows.common.shadow runs it)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.rollout import ShadowComparison, ShadowOutcome
    from schemas.triage.activities import ClassifyTicketInput
    from schemas.triage.classification import ClassificationResult
    from schemas.triage.shadow import CompareTicketShadowInput, TriageShadowInput
    from workflows.common.options import QUICK
    from workflows.common.shadow import run_shadow
    from workflows.triage.options import CLASSIFY


@workflow.defn(name="TriageShadowWorkflow")
class TriageShadowWorkflow:
    @workflow.run
    async def run(self, request: TriageShadowInput) -> ShadowOutcome:
        return await run_shadow(
            "triage",
            request,
            production_provider=request.production.classifier.name,
            answer=lambda: workflow.execute_activity(
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
            ),
            compare=lambda candidate: workflow.execute_activity(
                "compare_ticket_shadow",
                CompareTicketShadowInput(
                    production=request.production,
                    candidate=candidate,
                    plan=request.plan,
                    routing=request.routing,
                ),
                result_type=ShadowComparison,
                **QUICK,
            ),
            shown=lambda candidate: {
                "classifier": candidate.classifier.model_dump(mode="json"),
                "attempts": [a.model_dump(mode="json") for a in candidate.attempts],
                "classification": candidate.classification.model_dump(mode="json"),
            },
        )
