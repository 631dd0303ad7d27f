"""Purchase-order reconciliation: between assessment and routing, an invoice is matched to
its PO by the reconciliation child workflow (code first, a bounded agent only where code
cannot decide). Its result only routes: matched keeps the route, anything else sends the
invoice to a person with the finding (vouchflow.invoice.rules.reconcile).

Behind `workflow.patched(INVOICE_RECONCILIATION)` and `[reconciliation] enabled`: runs
started before, or with it off, route as they always did.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError, TimeoutError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from schemas.invoice.assessment import Assessment
    from schemas.reconciliation.findings import Finding
    from schemas.reconciliation.workflow import (
        ReconciliationInput,
        ReconciliationResult,
        reconciliation_workflow_id,
    )
    from vouchflow.invoice.rules.reconcile import (
        reconciliation_enabled,
        route_with_reconciliation,
        should_reconcile,
        touched_match_fields,
    )
    from vouchflow.reconciliation.routing import reconciliation_review_reasons
    from workflows.common.bounds import bounded_text
    from workflows.common.failures import failure_message
    from workflows.common.trail import count
    from workflows.invoice.options import INVOICE_RECONCILIATION, RECONCILIATION_CHILD_TIMEOUT
    from workflows.invoice.steps import InvoiceSteps


class ReconcileSteps(InvoiceSteps):
    async def _reconcile(self, assessment: Assessment) -> Assessment:
        """The assessment with its route after reconciliation (unchanged when not run)."""
        extraction = self._state.extraction
        if (
            extraction is None
            or not reconciliation_enabled(self._policy.integrations)
            or not should_reconcile(assessment, extraction)
            or not workflow.patched(INVOICE_RECONCILIATION)
        ):
            return assessment
        # A re-run reconciles again under its own id; a retried start attaches to the first.
        parent = self._state.workflow_id + self._state.effect_suffix
        child_id = reconciliation_workflow_id(parent)
        self._state.reconciliation_workflow_id = child_id
        await self._trail.record(
            "reconciliation.requested", {"child_workflow_id": child_id}, defer=True
        )
        document = self._state.document
        try:
            result = await workflow.execute_child_workflow(
                "ReconciliationWorkflow",
                ReconciliationInput(
                    parent_workflow_id=parent,
                    invoice=assessment.invoice,  # validated, totals recomputed
                    po_references=[],
                    document_text_sha256=(
                        document.text_ref.sha256 if document and document.text_ref else None
                    ),
                    policy=None,  # the child reads [reconciliation] once, into its history
                ),
                id=child_id,
                result_type=ReconciliationResult,
                execution_timeout=RECONCILIATION_CHILD_TIMEOUT,
            )
        except (ChildWorkflowError, WorkflowAlreadyStartedError) as err:
            # Fail closed: a reconciliation that did not finish sends the invoice to a person.
            result = _failed(err)
        self._state.reconciliation = result
        count(
            "vouchflow_invoice_reconciliations",
            {"status": result.status, "decided_by": result.decided_by},
        )
        decision = route_with_reconciliation(
            assessment.decision, reconciliation_review_reasons(result)
        )
        return assessment.model_copy(update={"decision": decision})

    def _keep_reconciliation(self, corrected: Assessment) -> Assessment:
        """A re-assessment after corrections keeps the first reconciliation's reasons (it
        is not re-run: see vouchflow.invoice.rules.reconcile)."""
        result = self._state.reconciliation
        if result is None:
            return corrected
        decision = route_with_reconciliation(
            corrected.decision, reconciliation_review_reasons(result)
        )
        return corrected.model_copy(update={"decision": decision})

    def _reconciliation_details(self, corrections: dict[str, Any]) -> list[str]:
        """What an approval record says when corrections touch what the match used."""
        result = self._state.reconciliation
        touched = touched_match_fields(corrections)
        if result is None or not touched:
            return []
        po = f" PO {result.po_number}" if result.po_number else ""
        return [
            f"purchase-order match not re-run after corrections to {', '.join(touched)}: it"
            f" was {result.status}{po} ({result.finding.kind}) on the invoice as first read"
        ]

    def _reconciliation_payload(self) -> dict[str, Any] | None:
        """The result as the routing audit record carries it."""
        result = self._state.reconciliation
        if result is None:
            return None
        return {
            "workflow_id": self._state.reconciliation_workflow_id,
            "status": result.status,
            "decided_by": result.decided_by,
            "po_number": result.po_number,
            "finding": result.finding.model_dump(mode="json"),
            "reasons": reconciliation_review_reasons(result),
        }


def _failed(err: BaseException) -> ReconciliationResult:
    cause = err.cause if isinstance(err, ChildWorkflowError) and err.cause else err
    what = "timed out" if isinstance(cause, TimeoutError) else failure_message(cause)
    reason = bounded_text(f"the reconciliation workflow did not finish: {what}", 500)
    return ReconciliationResult(
        status="failed",
        decided_by="nobody",
        finding=Finding(kind="no_po", reason=reason),
        reason=reason,
    )
