"""The reconciliation child workflow: which purchase order does this invoice bill?

    prepare (policy, PO numbers printed on the document)
    -> candidates from the PO store -> deterministic match (plain functions)
    -> decided: matched | a finding for review                     (decided_by=code)
    -> undecided, no agent configured: escalated, for review       (decided_by=nobody)
    -> undecided, agent configured: the bounded loop, one activity per model turn and
       per tool call; a proposal counts only once code verifies it  (decided_by=agent)
    -> result: matched | escalated (reason + what was found) | failed

It reads and decides; it writes nothing but its audit trail. A verified match is a
routing signal for the invoice workflow, never a payment or a write. Deterministic: no
I/O, clocks or randomness here; activities are called by name.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError
from temporalio.workflow import NondeterminismError, ReadOnlyContextError

with workflow.unsafe.imports_passed_through():
    from schemas.reconciliation.activities import (
        CandidateReply,
        CandidateRequest,
        Prepared,
        PrepareRequest,
    )
    from schemas.reconciliation.agent import AgentMessage
    from schemas.reconciliation.findings import Finding, MatchOutcome, ReconciliationPolicy
    from schemas.reconciliation.workflow import (
        AgentSummary,
        ReconciliationInput,
        ReconciliationResult,
        ReconciliationState,
    )
    from vouchflow.reconciliation.loop import AgentLoop
    from vouchflow.reconciliation.matching import match_invoice
    from vouchflow.reconciliation.outcome import (
        decided_by_code,
        from_loop,
        undecided_without_agent,
    )
    from vouchflow.reconciliation.prompt import first_message, system_prompt
    from workflows.common.bounds import bounded_text
    from workflows.common.failures import failure_message
    from workflows.common.trail import AuditTrail, count
    from workflows.reconciliation.options import PREPARE, STORE
    from workflows.reconciliation.runner import WorkflowRunner


@workflow.defn(name="ReconciliationWorkflow")
class ReconciliationWorkflow:
    @workflow.init
    def __init__(self, request: ReconciliationInput) -> None:
        self._state = ReconciliationState(
            workflow_id=workflow.info().workflow_id,
            parent_workflow_id=request.parent_workflow_id,
        )
        self._trail = AuditTrail(self._state)

    @workflow.run
    async def run(self, request: ReconciliationInput) -> ReconciliationResult:
        self._state.started_at = workflow.now()
        await self._trail.record(
            "reconciliation.started",
            {
                "parent_workflow_id": request.parent_workflow_id,
                "supplier_name": request.invoice.supplier_name,
                "invoice_number": request.invoice.invoice_number,
                "currency": request.invoice.currency,
                "total_minor": request.invoice.total_minor,
            },
            defer=True,
        )
        try:
            result = await self._reconcile(request)
        except (NondeterminismError, ReadOnlyContextError):
            raise
        except Exception as err:
            # Nothing may wedge a run: an unexpected failure ends it with its reason.
            reason = f"reconciliation stopped on an unexpected error: {failure_message(err)}"
            result = ReconciliationResult(
                status="failed",
                decided_by="nobody",
                finding=Finding(kind="no_po", reason=bounded_text(reason, 500)),
                reason=bounded_text(reason, 500),
                agent=self._state.agent,
            )
        return await self._finish(result)

    async def _reconcile(self, request: ReconciliationInput) -> ReconciliationResult:
        prepared = await workflow.execute_activity(
            "prepare_reconciliation",
            PrepareRequest(
                document_text_sha256=request.document_text_sha256,
                po_references=request.po_references,
                need_policy=request.policy is None,
            ),
            result_type=Prepared,
            **PREPARE,
        )
        policy = request.policy or prepared.policy
        assert policy is not None, "prepare_reconciliation reads the policy when none is given"
        self._state.policy = policy
        self._state.po_references = prepared.references
        try:
            reply = await workflow.execute_activity(
                "load_reconciliation_candidates",
                CandidateRequest(
                    invoice=request.invoice, references=prepared.references, policy=policy
                ),
                result_type=CandidateReply,
                **STORE,
            )
        except ActivityError as err:
            reason = f"the purchase-order store could not be read: {failure_message(err)}"
            return ReconciliationResult(
                status="failed",
                decided_by="nobody",
                finding=Finding(kind="no_po", reason=reason),
                reason=reason,
            )
        outcome = match_invoice(request.invoice, prepared.references, reply.candidates, policy)
        self._state.deterministic = outcome
        await self._trail.record(
            "reconciliation.matched_by_code" if outcome.decided else "reconciliation.undecided",
            {
                "references": prepared.references,
                "finding": outcome.finding.model_dump(mode="json"),
                "findings": [f.model_dump(mode="json") for f in outcome.findings],
                "candidates": outcome.candidates[:20],
                "tolerance": {
                    "minor": policy.tolerance_minor,
                    "bps": policy.tolerance_bps,
                    "three_way": policy.three_way,
                },
            },
            defer=True,
        )
        if outcome.decided:
            return decided_by_code(outcome)
        if policy.agent == "none":
            return undecided_without_agent(outcome)
        return await self._agent(request, prepared.references, outcome, policy)

    async def _agent(
        self,
        request: ReconciliationInput,
        references: list[str],
        outcome: MatchOutcome,
        policy: ReconciliationPolicy,
    ) -> ReconciliationResult:
        summary = AgentSummary(provider=policy.agent)
        self._state.agent = summary
        self._state.messages = [
            AgentMessage(
                role="user", text=first_message(request.invoice, references, outcome, policy)
            )
        ]
        await self._trail.record(
            "reconciliation.agent_started",
            {
                "provider": policy.agent,
                "prompt_version": policy.prompt_version,
                "max_iterations": policy.max_iterations,
                "token_budget": policy.token_budget,
                "cost_budget_micro_usd": policy.cost_budget_micro_usd,
                "wall_clock_limit_s": int(policy.wall_clock_limit.total_seconds()),
            },
        )
        loop = AgentLoop(
            WorkflowRunner(self._trail, policy, request.invoice, references),
            policy,
            system=system_prompt(policy.prompt_version),
            messages=self._state.messages,
            steps=self._state.steps,
            summary=summary,
        )
        end = await loop.run(workflow.now())
        return from_loop(outcome, end, summary)

    async def _finish(self, result: ReconciliationResult) -> ReconciliationResult:
        self._state.result = result
        self._state.status = result.status
        self._state.status_reason = result.reason
        agent = result.agent
        count(
            "vouchflow_reconciliations_finished",
            {"status": result.status, "decided_by": result.decided_by},
        )
        await self._trail.record(
            "reconciliation.finished",
            {
                "status": result.status,
                "decided_by": result.decided_by,
                "finding": result.finding.model_dump(mode="json"),
                "po_number": result.po_number,
                "reason": result.reason,
                "proposal": result.proposal.model_dump(mode="json") if result.proposal else None,
                "verification": (
                    result.verification.model_dump(mode="json") if result.verification else None
                ),
                "agent": (
                    agent.model_dump(mode="json") | {"tokens": agent.tokens} if agent else None
                ),
            },
        )
        return result

    @workflow.query(name="status")
    def status(self) -> ReconciliationState:
        return self._state
