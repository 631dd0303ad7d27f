"""The agent loop's runner inside the workflow: each model turn and each tool call is an
activity, each step an audit record, the clock is the workflow's."""

from __future__ import annotations

import datetime as dt

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.invoice.invoice import Invoice
    from schemas.reconciliation.activities import CandidateReply, CandidateRequest
    from schemas.reconciliation.agent import (
        AgentStep,
        ModelTurnRequest,
        ModelTurnResult,
        ProposedMatch,
        Verification,
    )
    from schemas.reconciliation.findings import ReconciliationPolicy
    from schemas.reconciliation.tools import ToolRequest, ToolResponse
    from vouchflow.reconciliation.loop import StepFailed
    from vouchflow.reconciliation.verify import verify_proposal
    from workflows.common.failures import failure_message
    from workflows.common.options import MODEL_RETRY
    from workflows.common.trail import AuditTrail, count
    from workflows.reconciliation.options import STORE, model_turn_timeout


class WorkflowRunner:
    def __init__(
        self,
        trail: AuditTrail,
        policy: ReconciliationPolicy,
        invoice: Invoice,
        references: list[str],
    ) -> None:
        self.run_id = workflow.info().run_id
        self._trail = trail
        self._policy = policy
        self._invoice = invoice
        self._references = references

    def now(self) -> dt.datetime:
        return workflow.now()

    async def model_turn(self, request: ModelTurnRequest) -> ModelTurnResult:
        try:
            return await workflow.execute_activity(
                "reconciliation_model_turn",
                request,
                result_type=ModelTurnResult,
                start_to_close_timeout=model_turn_timeout(self._policy.model_timeout),
                retry_policy=MODEL_RETRY,
            )
        except ActivityError as err:
            raise StepFailed(failure_message(err)) from err

    async def tool(self, request: ToolRequest) -> ToolResponse:
        try:
            return await workflow.execute_activity(
                request.name, request, result_type=ToolResponse, **STORE
            )
        except ActivityError as err:
            raise StepFailed(failure_message(err)) from err

    async def verify(self, proposal: ProposedMatch) -> Verification:
        """Fresh facts from the store, then the plain verification rules."""
        try:
            reply = await workflow.execute_activity(
                "load_reconciliation_candidates",
                CandidateRequest(
                    invoice=self._invoice,
                    references=self._references,
                    policy=self._policy,
                    proposed_po=proposal.po_number,
                ),
                result_type=CandidateReply,
                **STORE,
            )
        except ActivityError as err:
            return Verification(
                verified=False,
                po_number=proposal.po_number,
                problems=[f"the PO store could not be read: {failure_message(err)}"],
            )
        return verify_proposal(
            self._invoice,
            self._references,
            proposal,
            reply.proposed,
            reply.candidates,
            self._policy,
        )

    async def record(self, step: AgentStep) -> None:
        count(
            "vouchflow_reconciliation_steps",
            {"type": step.type, "status": step.status, "tool": step.tool or ""},
        )
        await self._trail.record("reconciliation.step", step.model_dump(mode="json"))
