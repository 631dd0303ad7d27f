"""The invoice shadow run: the candidate extractor (another prompt version or model)
reads the same document as production, beside it, as a child workflow. It acts on
nothing: one extraction, one comparison with production's answer, one audit record
(`shadow.compared`) under its own workflow id, which its parent's trail names."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.rollout import ShadowComparison, ShadowOutcome
    from schemas.invoice.extraction import ExtractionResult
    from schemas.invoice.shadow import CompareInvoiceShadowInput, InvoiceShadowInput
    from schemas.invoice.workflow import ExtractFieldsInput
    from workflows.common.failures import failure_message
    from workflows.common.options import QUICK
    from workflows.common.rollout import ShadowTrailState, candidate_label
    from workflows.common.trail import AuditTrail
    from workflows.invoice.options import EXTRACT


@workflow.defn(name="InvoiceShadowWorkflow")
class InvoiceShadowWorkflow:
    @workflow.run
    async def run(self, request: InvoiceShadowInput) -> ShadowOutcome:
        trail = AuditTrail(ShadowTrailState())
        outcome = ShadowOutcome(
            parent_workflow_id=request.parent_workflow_id,
            workflow="invoice",
            candidate_provider=request.candidate_provider,
            candidate_prompt_version=request.prompt_version,
            ok=False,
        )
        candidate: ExtractionResult | None = None
        try:
            candidate = await workflow.execute_activity(
                "extract_invoice_fields",
                ExtractFieldsInput(
                    workflow_id=workflow.info().workflow_id,
                    document=request.document,
                    filename=request.filename,
                    provider=request.candidate_provider,
                    prompt_name=request.prompt_name,
                    prompt_version=request.prompt_version,
                    token_budget_remaining=request.token_budget,
                ),
                result_type=ExtractionResult,
                **EXTRACT,
            )
        except ActivityError as err:
            outcome.failure = failure_message(err)
        if candidate is not None and candidate.failed_closed:
            outcome.failure = candidate.failure_reason or "the candidate failed closed"
        elif candidate is not None:
            comparison = await workflow.execute_activity(
                "compare_invoice_shadow",
                CompareInvoiceShadowInput(
                    production=request.production, candidate=candidate.invoice
                ),
                result_type=ShadowComparison,
                **QUICK,
            )
            outcome.ok = True
            outcome.comparison = comparison
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
                "production_provider": request.production_provider,
                "candidate_answer": None
                if candidate is None
                else {
                    "extractor": candidate.extractor.model_dump(mode="json"),
                    "attempts": [a.model_dump(mode="json") for a in candidate.attempts],
                    "invoice": candidate.invoice.model_dump(mode="json"),
                },
            },
        )
        return outcome
