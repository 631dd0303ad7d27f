"""What the triage workflow's steps share (beyond workflows.common.steps): its policy
snapshot, how it names itself in notices, and how its review wait continues as new."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.rollout import RerunRequest
    from schemas.triage.policy import TriagePolicy
    from schemas.triage.state import TriageResume, TriageState, TriageStatus, TriageWorkflowInput
    from workflows.common.limits import (
        DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
        continue_as_new,
        history_is_long,
    )
    from workflows.common.steps import WorkflowSteps
    from workflows.triage import views


class TriageSteps(WorkflowSteps[TriageState, TriagePolicy, TriageStatus]):
    """Attributes and helpers every step mixin of TriageWorkflow relies on."""

    _views = views
    _decisions = "confirm_correct"

    def _needs_attention_titles(self) -> tuple[str, str]:
        ticket = self._state.event.ticket.id
        return (
            f"Ticket {ticket} needs attention: parked for an operator",
            f"Ticket {ticket} needs attention",
        )

    def _rerun_input(self, rerun: RerunRequest) -> TriageWorkflowInput:
        return TriageWorkflowInput(event=self._state.event, rerun=rerun)

    def _history_is_long(self) -> bool:
        limit = (
            self._policy.review.continue_as_new_after_events
            if self._policy_snapshot is not None
            else DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS
        )
        return history_is_long(limit)

    async def _continue_as_new(self) -> None:
        """Carry the review wait into a fresh run (only the review wait continues)."""
        await continue_as_new(
            self._desk, self._trail, phase="review", run=self._state.runs, next_input=self._resume
        )

    def _resume(self) -> TriageWorkflowInput:
        assert self._waiting.started is not None
        resume = TriageResume(
            state=self._state,
            policy=self._policy,
            review_started_at=self._waiting.started,
            timers_fired=self._waiting.fired,
            notify_count=self._notify_count,
        )
        return TriageWorkflowInput(event=self._state.event, resume=resume)
