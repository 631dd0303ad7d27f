"""What the tier-change workflow's steps share (beyond workflows.common.steps): its
policy snapshot, the route an ended run took, how it names itself in notices, and a
refused change."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.rollout import RerunRequest
    from schemas.proposal.policy import ProposalPolicy
    from schemas.proposal.state import (
        ProposalState,
        ProposalStatus,
        ProposalWorkflowInput,
        TakenRoute,
    )
    from workflows.common.steps import WorkflowSteps
    from workflows.common.trail import count
    from workflows.proposal import views

# The route a run that ends this way took; any other ending keeps the route it was on.
ENDED_ROUTES: dict[str, TakenRoute] = {
    "rejected": "rejected",
    "needs_attention": "needs_attention",
}


class ProposalSteps(WorkflowSteps[ProposalState, ProposalPolicy, ProposalStatus]):
    """Attributes and helpers every step mixin of TierChangeWorkflow relies on."""

    _views = views

    def _needs_attention_titles(self) -> tuple[str, str]:
        customer = self._state.event.customer.id
        return (
            f"Tier change for {customer}: parked for an operator",
            f"Tier change for {customer} needs attention",
        )

    def _rerun_input(self, rerun: RerunRequest) -> ProposalWorkflowInput:
        return ProposalWorkflowInput(event=self._state.event, rerun=rerun)

    async def _end(self, status: ProposalStatus, reason: str, **how: Any) -> None:
        """As every workflow ends (WorkflowSteps._end), with the route the run took shown
        first."""
        if status in ENDED_ROUTES:
            self._state.route = ENDED_ROUTES[status]
        await super()._end(status, reason, **how)

    async def _reject(self, stage: str, outcome: str, reason: str, **extra: Any) -> None:
        """A refused change: its stage and outcome (validation outcome or policy rule)."""
        self._state.rejection = outcome
        count("vouchflow_proposals_rejected", {"stage": stage, "outcome": outcome})
        await self._end(
            "rejected",
            f"{outcome}: {reason}",
            audit=(
                "decision.rejected",
                {"stage": stage, "outcome": outcome, "reason": reason, **extra},
            ),
            notice=(
                "decision",
                f"Tier change for {self._state.event.customer.id} rejected ({outcome})",
            ),
        )
