"""Supplier templates in the invoice workflow: after extraction, check the invoice
against the template of the supplier who sent it (its findings route the invoice, and a
recognised supplier counts as known); after a person's approval, learn from it (the
approved values, corrections included, become the template's next version).

Behind the `supplier-templates` patch: runs recorded before it replay without either step.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.documents import DocumentText
    from schemas.invoice.extraction import ExtractionProblem, ExtractionResult
    from schemas.invoice.templates import (
        CheckTemplateInput,
        LearnedTemplate,
        LearnTemplateInput,
        TemplateCheck,
    )
    from workflows.common.failures import failure_message
    from workflows.common.trail import count
    from workflows.invoice.options import SUPPLIER_TEMPLATES, TEMPLATE_CHECK, TEMPLATE_LEARN
    from workflows.invoice.steps import InvoiceSteps


class TemplateSteps(InvoiceSteps):
    async def _check_template(
        self, document: DocumentText, extraction: ExtractionResult
    ) -> ExtractionResult:
        """The extraction, with a problem added when the check could not run (fail
        closed: the bank details could not be compared)."""
        if not workflow.patched(SUPPLIER_TEMPLATES) or not document.ok:
            return extraction
        try:
            check = await workflow.execute_activity(
                "check_supplier_template",
                CheckTemplateInput(
                    workflow_id=self._state.workflow_id, document=document, extraction=extraction
                ),
                result_type=TemplateCheck | None,  # type: ignore[arg-type]
                **TEMPLATE_CHECK,
            )
        except ActivityError as err:
            reason = failure_message(err)
            await self._trail.record("template.check_failed", {"reason": reason}, defer=True)
            problem = ExtractionProblem(
                code="template.check_failed",
                message=f"the supplier template check could not run: {reason}",
                severity="warning",
            )
            return extraction.model_copy(update={"problems": [*extraction.problems, problem]})
        if check is None:
            return extraction
        self._state.template_check = check
        count("vouchflow_template_checks", {"findings": bool(check.findings)})
        await self._trail.record(
            "template.checked",
            {
                "template_id": check.template_id,
                "version": check.version,
                "supplier": check.supplier_name,
                "matched_by": check.matched_by,
                "agreeing": check.agreeing,
                "disagreeing": check.disagreeing,
                "filled": check.fills,
                "findings": [f.model_dump(mode="json") for f in check.findings],
            },
            defer=True,
        )
        return extraction

    async def _learn_template(self) -> None:
        """Learn from the approval just recorded. A failure is recorded and reported, never
        a reason to hold back the approved draft."""
        if not workflow.patched(SUPPLIER_TEMPLATES):
            return
        document, assessment = self._state.document, self._state.assessment
        approval = next((d for d in reversed(self._state.decisions) if d.kind == "approve"), None)
        if document is None or not document.ok or assessment is None or approval is None:
            return
        if not assessment.invoice.supplier_name:
            return
        corrected = sorted(approval.corrections or {})
        await self._trail.intent(
            "supplier_template",
            {
                "supplier": assessment.invoice.supplier_name,
                "approved_by": approval.actor,
                "corrected_fields": corrected,
            },
        )
        try:
            learned = await workflow.execute_activity(
                "learn_supplier_template",
                LearnTemplateInput(
                    workflow_id=self._state.workflow_id,
                    document_sha256=self._state.event.document_sha256,
                    document=document,
                    approved=assessment.invoice,
                    corrected_fields=corrected,
                    approved_by=approval.actor,
                ),
                result_type=LearnedTemplate,
                **TEMPLATE_LEARN,
            )
        except ActivityError as err:
            await self._trail.outcome("supplier_template", "failed", failure_message(err))
            return
        self._state.template_learned = learned
        await self._trail.outcome(
            "supplier_template",
            "done",
            f"{learned.action} {learned.template_id} v{learned.version}:"
            f" {', '.join(learned.fields)}",
            ref=f"{learned.template_id}@{learned.version}",
        )
        await self._trail.record(f"template.{learned.action}", learned.model_dump(mode="json"))
