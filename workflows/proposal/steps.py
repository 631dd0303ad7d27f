"""What the tier-change workflow's steps share: state and policy, the audit trail,
decision desk and dead letter (workflows.common), status publishing, notifications,
endings."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.effects import Notification, NotificationKind, NotificationReceipt
    from schemas.proposal.policy import ProposalPolicy
    from schemas.proposal.state import (
        ProposalState,
        ProposalStatus,
        ProposalWorkflowInput,
        TakenRoute,
    )
    from workflows.common.dead_letter import DeadLetter, Failure
    from workflows.common.decision_desk import DecisionDesk
    from workflows.common.limits import publish as publish_state
    from workflows.common.notify import send_notification
    from workflows.common.trail import AuditTrail, count
    from workflows.common.waiting import PersonWait
    from workflows.proposal import views


class ProposalSteps:
    """Attributes and helpers every step mixin of TierChangeWorkflow relies on."""

    _state: ProposalState
    _policy_snapshot: ProposalPolicy | None
    _trail: AuditTrail
    _desk: DecisionDesk
    _dead_letter: DeadLetter
    _waiting: PersonWait
    _notify_count: int

    @property
    def _policy(self) -> ProposalPolicy:
        assert self._policy_snapshot is not None, "policy is loaded first"
        return self._policy_snapshot

    def _set_status(self, status: ProposalStatus, reason: str) -> None:
        self._state.status = status
        self._state.status_reason = reason
        publish_state(
            views.search_attribute_updates(self._state), views.current_details(self._state)
        )

    async def _end(
        self,
        status: ProposalStatus,
        reason: str,
        *,
        route: TakenRoute | None = None,
        audit: tuple[str, dict[str, Any]] | None = None,
        notice: tuple[NotificationKind, str] | None = None,
    ) -> None:
        """The one way a run reaches its final status: status, its audit record, then the
        people who need to know (each optional, always in this order)."""
        if route is not None:
            self._state.route = route
        self._set_status(status, reason)
        if audit is not None:
            await self._trail.record(*audit)
        if notice is not None:
            await self._notify(notice[0], notice[1], update=True)

    async def _reject(self, stage: str, outcome: str, reason: str, **extra: Any) -> None:
        """A refused change: its stage and outcome (validation outcome or policy rule)."""
        self._state.rejection = outcome
        count("vouchflow_proposals_rejected", {"stage": stage, "outcome": outcome})
        await self._end(
            "rejected",
            f"{outcome}: {reason}",
            route="rejected",
            audit=(
                "decision.rejected",
                {"stage": stage, "outcome": outcome, "reason": reason, **extra},
            ),
            notice=(
                "decision",
                f"Tier change for {self._state.event.customer.id} rejected ({outcome})",
            ),
        )

    async def _end_needs_attention(self, reason: str, *, failure: Failure | None = None) -> bool:
        """Park in the dead letter for an operator (workflows.common.dead_letter), then end
        `needs_attention` unless they resumed it. True: resumed, the caller retries its
        step (same request, same idempotency key). A re-run continues as new from here.
        Runs from before the dead letter (workflow.patched) end at once, as they did."""
        if self._dead_letter.enabled():
            failure = failure or Failure(
                kind="needs_attention", step=self._state.status, reason=reason
            )
            self._set_status("needs_attention", reason)
            await self._notify(
                "flagged",
                f"Tier change for {self._state.event.customer.id}: parked for an operator",
            )
            event = self._state.event
            final = await self._dead_letter.settle(
                failure,
                reason,
                lambda rerun: ProposalWorkflowInput(event=event, rerun=rerun),
                prompt_version=self._state.prompt_version,
            )
            if final is None:
                return True  # resumed
            reason = final
        await self._end(
            "needs_attention",
            reason,
            route="needs_attention",
            audit=("workflow.needs_attention", {"reason": reason}),
            notice=(
                "flagged",
                f"Tier change for {self._state.event.customer.id} needs attention",
            ),
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
                decisions="approve_reject",
                facts=views.notification_facts(self._state),
            ),
        )
        if receipt is not None and self._state.notification_ref is None:
            self._state.notification_ref = receipt.ref
        return receipt
