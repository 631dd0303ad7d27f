"""What the triage workflow's steps share: state and policy, the audit trail and decision
desk (workflows.common), status publishing, notifications, continue-as-new, endings."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.effects import Notification, NotificationKind, NotificationReceipt
    from schemas.triage.policy import TriagePolicy
    from schemas.triage.state import TriageResume, TriageState, TriageStatus, TriageWorkflowInput
    from workflows.common.dead_letter import DeadLetter, Failure
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.limits import DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS, history_is_long
    from workflows.common.limits import publish as publish_state
    from workflows.common.notify import send_notification
    from workflows.common.trail import AuditTrail
    from workflows.common.waiting import PersonWait
    from workflows.triage import views


class TriageSteps:
    """Attributes and helpers every step mixin of TriageWorkflow relies on."""

    _state: TriageState
    _policy_snapshot: TriagePolicy | None
    _trail: AuditTrail
    _desk: DecisionDesk
    _dead_letter: DeadLetter
    _waiting: PersonWait
    _notify_count: int

    @property
    def _policy(self) -> TriagePolicy:
        assert self._policy_snapshot is not None, "policy is loaded first"
        return self._policy_snapshot

    def _set_status(self, status: TriageStatus, reason: str) -> None:
        self._state.status = status
        self._state.status_reason = reason
        publish_state(
            views.search_attribute_updates(self._state), views.current_details(self._state)
        )

    async def _end(
        self,
        status: TriageStatus,
        reason: str,
        *,
        audit: tuple[str, dict[str, Any]] | None = None,
        notice: tuple[NotificationKind, str] | None = None,
    ) -> None:
        """The one way a run reaches its final status: status, its audit record, then the
        people who need to know (each optional, always in this order)."""
        self._set_status(status, reason)
        if audit is not None:
            await self._trail.record(*audit)
        if notice is not None:
            await self._notify(notice[0], notice[1], update=True)

    async def _end_needs_attention(self, reason: str, *, failure: Failure | None = None) -> bool:
        """Park in the dead letter for an operator (workflows.common.dead_letter), then end
        `needs_attention` unless they resumed it. True: resumed, the caller retries its
        step (same request, same idempotency key). A re-run continues as new from here."""
        ticket = self._state.event.ticket.id
        if self._dead_letter.enabled():
            failure = failure or Failure(
                kind="needs_attention", step=self._state.status, reason=reason
            )
            self._set_status("needs_attention", reason)
            await self._notify(
                "flagged", f"Ticket {ticket} needs attention: parked for an operator"
            )
            event = self._state.event
            final = await self._dead_letter.settle(
                failure,
                reason,
                lambda rerun: TriageWorkflowInput(event=event, rerun=rerun),
                prompt_version=self._state.prompt_version,
            )
            if final is None:
                return True  # resumed
            reason = final
        await self._end(
            "needs_attention",
            reason,
            audit=("workflow.needs_attention", {"reason": reason}),
            notice=("flagged", f"Ticket {ticket} needs attention"),
        )
        return False

    async def _notify(
        self,
        kind: NotificationKind,
        title: str,
        *,
        update: bool = False,
        channels: list[str] | None = None,
        with_buttons: bool = False,
    ) -> NotificationReceipt | None:
        """Notifications never stop the workflow: a failure is recorded and audited."""
        self._notify_count += 1
        receipt = await send_notification(
            self._trail,
            Notification(
                workflow_id=self._state.workflow_id,
                kind=kind,
                idempotency_key=(
                    f"{self._state.workflow_id}{self._state.effect_suffix}"
                    f":notify:{self._notify_count}:{kind}"
                ),
                title=title,
                lines=views.summary_lines(self._state),
                update_ref=self._state.notification_ref if update else None,
                channels=channels or [],
                with_buttons=with_buttons,
                decisions="confirm_correct",
                facts=views.notification_facts(self._state),
            ),
        )
        if receipt is not None and self._state.notification_ref is None:
            self._state.notification_ref = receipt.ref
        return receipt

    def _history_is_long(self) -> bool:
        limit = (
            self._policy.review.continue_as_new_after_events
            if self._policy_snapshot is not None
            else DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS
        )
        return history_is_long(limit)

    async def _continue_as_new(self) -> None:
        """Carry the review wait into a fresh run; decisions in flight are answered first."""
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() or bool(self._desk.inbox)
        )
        if self._desk.inbox:
            return  # a decision arrived: the review loop handles it, then asks again
        assert self._waiting.started is not None
        await self._desk.audit_suppressed()
        await self._trail.record(
            "workflow.continuing", {"phase": "review", "run": self._state.runs}
        )
        resume = TriageResume(
            state=self._state,
            policy=self._policy,
            review_started_at=self._waiting.started,
            timers_fired=self._waiting.fired,
            notify_count=self._notify_count,
        )
        workflow.continue_as_new(TriageWorkflowInput(event=self._state.event, resume=resume))
