"""The tier-change proposal workflow's state machine.

    intake (policy -> parse the request into a TierUpgradeProposal (parser chain)
            -> billing account -> validate -> policy: risk tier, audited before any effect)
      low    -> execute
      medium -> dry run (billing's own preview) -> automated checks -> execute
                                                    (a failed check: as high)
      high   -> dry run -> a person approves or rejects (reminder, expiry)
      -> wait for the effective date -> execute once (idempotency key from the workflow id)
      -> executed | rejected (validation outcome / policy rule / approver) | expired
         | needs_attention (after the dead letter: a change billing keeps refusing, or a
           run that cannot go on, parks for an operator's proven resume, re-run or close)

One workflow per event: its id derives from `event_id`, so a redelivery attaches to the
first. The proposal id derives from the change itself, so the same change asked for
through another event is refused as a duplicate. Deterministic: no I/O, clocks or
randomness here; activities are called by name.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.proposal.state import ProposalState, ProposalWorkflowInput
    from workflows.common.dead_letter import DeadLetterHandlers
    from workflows.common.handlers import ApproveRejectSignals, DecisionHandlers
    from workflows.common.trail import count
    from workflows.proposal.approval import DECISIONS, ApprovalSteps
    from workflows.proposal.execution import ExecutionSteps
    from workflows.proposal.intake import IntakeSteps

WORKFLOW_NAME = "TierChangeWorkflow"


@workflow.defn(name=WORKFLOW_NAME)
class TierChangeWorkflow(
    IntakeSteps,
    ApprovalSteps,
    ExecutionSteps,
    DecisionHandlers[ProposalState],
    ApproveRejectSignals,
    DeadLetterHandlers,
):
    @workflow.init
    def __init__(self, request: ProposalWorkflowInput) -> None:
        self._begin_run(
            ProposalState(workflow_id=workflow.info().workflow_id, event=request.event),
            None,
            DECISIONS,
            refusals_audited=lambda policy: policy.approval.refusals_audited,
        )

    @workflow.run
    async def run(self, request: ProposalWorkflowInput) -> ProposalState:
        await self._guarded(self._process(request))
        await self._close()
        count("vouchflow_proposals_finished", {"status": self._state.status})
        return self._state

    async def _process(self, request: ProposalWorkflowInput) -> None:
        proposal = await self._intake(request)
        if proposal is None:
            return
        risk = self._state.risk
        if risk in ("medium", "high") and not await self._preview(proposal):
            return
        if risk == "medium" and await self._run_checks(proposal):
            self._state.route = "execute_after_checks"
        elif risk == "low":
            self._state.route = "execute"
        else:
            self._state.route = "approval"
            if not await self._await_approval():
                return
        await self._execute(proposal)
