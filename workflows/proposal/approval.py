"""Waiting for a person: approve or reject a high-risk change after seeing its dry run
(signal or `decide` update, each with a verified token), refusals, and the reminder and
expiry timers."""

from __future__ import annotations

from typing import Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.decisions import (
        ApproveSignal,
        DecisionRequest,
        RejectSignal,
    )
    from workflows.common.decision_desk import Decisions, PendingDecision
    from workflows.common.decision_intake import decide_reader
    from workflows.proposal.steps import ProposalSteps

DECISIONS = Decisions(
    kinds={"approve": ApproveSignal, "reject": RejectSignal},
    queued=frozenset({"approve", "reject"}),
    read_request=decide_reader(
        DecisionRequest.model_validate,
        kinds=("approve", "reject"),
        other_kinds="a tier change is approved or rejected",
    ),
)


class ApprovalSteps(ProposalSteps):
    def _gate(self, kind: str) -> str | None:
        if self._waiting.open:
            return None
        return f"not awaiting approval (status: {self._state.status})"

    async def _await_approval(self) -> bool:
        """Wait for a person. True = approved; False = the run ended (rejected, expired)."""
        approval = self._policy.approval
        assert self._state.policy is not None
        why = "; ".join(
            ([self._state.escalated] if self._state.escalated else []) + self._state.policy.reasons
        )
        customer = self._state.event.customer.id
        self._set_status("awaiting_approval", why)
        await self._waiting.begin(
            lambda: self._notify(
                "approval_request",
                f"Tier change for {customer}: approve or reject",
                channels=approval.channels,
                with_buttons=True,
            )
        )

        async def remind(kind: str) -> None:
            self._state.reminders_sent += 1
            await self._trail.record("approval.reminder", {"after": str(approval.reminder_after)})
            await self._notify(
                "reminder",
                f"Reminder: tier change for {customer} awaits approval",
                channels=approval.channels,
            )

        async def expire() -> str:
            await self._end(
                "expired",
                f"no decision within {approval.expire_after}; nothing was changed",
                audit=("approval.expired", {"after": str(approval.expire_after)}),
                notice=("decision", f"Tier change for {customer}: approval expired"),
            )
            return "approval expired"

        # In one run (no continue-as-new): an approval expires within days by default.
        outcome = await self._waiting.until_decided(
            [(approval.reminder_after, "reminder"), (approval.expire_after, "expiry")],
            apply=self._apply,
            on_timer=remind,
            on_expiry=expire,
        )
        return outcome == "approved"

    async def _apply(self, pending: PendingDecision) -> Literal["approved", "rejected"] | None:
        """Apply one decision; None = refused (keep waiting)."""
        approvers = self._policy.approval.approvers
        if approvers and pending.actor not in approvers:
            await self._desk.refuse_pending(
                pending, f"{pending.actor} may not approve tier changes"
            )
            return None
        decision = pending.decision
        if isinstance(decision, ApproveSignal) and (
            decision.corrections or decision.override_errors
        ):
            await self._desk.refuse_pending(
                pending, "a tier change takes no corrections or overrides: approve or reject it"
            )
            return None
        rejecting = isinstance(decision, RejectSignal)
        reason = decision.reason if isinstance(decision, RejectSignal) else "approved"
        record = self._desk.record_accepted(
            pending, reason, details=[f"dry run shown: {self._state.dry_run is not None}"]
        )
        if rejecting:
            self._desk.answer(pending, True, "rejected: nothing will change")
            await self._reject(
                "approval",
                "rejected_by_approver",
                f"{pending.actor}: {reason}",
                decision=record.model_dump(mode="json"),
            )
            return "rejected"
        self._state.approved_by = pending.actor
        await self._trail.record("decision.approved", record.model_dump(mode="json"))
        self._desk.answer(pending, True, "approved: the change will be applied")
        return "approved"
