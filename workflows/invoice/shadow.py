"""The invoice shadow run: the candidate extractor (another prompt version or model)
reads the same document as production, beside it, as a child workflow, and its fields
are compared with production's (workflows.common.shadow runs it)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.rollout import ShadowComparison, ShadowOutcome
    from schemas.invoice.extraction import ExtractionResult
    from schemas.invoice.shadow import CompareInvoiceShadowInput, InvoiceShadowInput
    from schemas.invoice.workflow import ExtractFieldsInput
    from workflows.common.options import QUICK
    from workflows.common.shadow import run_shadow
    from workflows.invoice.options import EXTRACT


@workflow.defn(name="InvoiceShadowWorkflow")
class InvoiceShadowWorkflow:
    @workflow.run
    async def run(self, request: InvoiceShadowInput) -> ShadowOutcome:
        return await run_shadow(
            "invoice",
            request,
            production_provider=request.production_provider,
            answer=lambda: workflow.execute_activity(
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
            ),
            compare=lambda candidate: workflow.execute_activity(
                "compare_invoice_shadow",
                CompareInvoiceShadowInput(
                    production=request.production, candidate=candidate.invoice
                ),
                result_type=ShadowComparison,
                **QUICK,
            ),
            shown=lambda candidate: {
                "extractor": candidate.extractor.model_dump(mode="json"),
                "attempts": [a.model_dump(mode="json") for a in candidate.attempts],
                "invoice": candidate.invoice.model_dump(mode="json"),
            },
        )
