"""Waiting for a person: approve or reject a high-risk change after seeing its dry run
(signal or `decide` update, each with a verified token), refusals, and the reminder and
expiry timers."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.common.decisions import (
        ApproveSignal,
        DecisionRecord,
        DecisionRequest,
        RejectSignal,
    )
    from workflows.common.decision_desk import PendingDecision
    from workflows.common.decision_intake import decide_reader
    from workflows.common.trail import count
    from workflows.proposal.steps import ProposalSteps

DECISION_KINDS: dict[str, type[BaseModel]] = {"approve": ApproveSignal, "reject": RejectSignal}
QUEUED = frozenset(DECISION_KINDS)


read_decide_request = decide_reader(
    DecisionRequest.model_validate,
    kinds=DECISION_KINDS,
    other_kinds="a tier change is approved or rejected",
)


class ApprovalSteps(ProposalSteps):
    def _gate(self, kind: str) -> str | None:
        if self._awaiting:
            return None
        return f"not awaiting approval (status: {self._state.status})"

    async def _await_approval(self) -> bool:
        """Wait for a person. True = approved; False = the run ended (rejected, expired)."""
        approval = self._policy.approval
        assert self._state.policy is not None
        why = "; ".join(
            ([self._state.escalated] if self._state.escalated else []) + self._state.policy.reasons
        )
        self._set_status("awaiting_approval", why)
        self._awaiting = True
        started = workflow.now()
        await self._notify(
            "approval_request",
            f"Tier change for {self._state.event.customer.id}: approve or reject",
            channels=approval.channels,
            with_buttons=True,
        )
        timers: list[tuple[timedelta, str]] = [
            (approval.reminder_after, "reminder"),
            (approval.expire_after, "expiry"),
        ]
        fired = 0
        while True:
            due = started + timers[min(fired, 1)][0]
            remaining = max(due - workflow.now(), timedelta(0))
            await self._trail.flush()  # nothing stays pending while a person is awaited
            try:
                await workflow.wait_condition(lambda: bool(self._desk.inbox), timeout=remaining)
            except TimeoutError:
                kind = timers[min(fired, 1)][1]
                fired += 1
                if kind == "reminder":
                    self._state.reminders_sent += 1
                    await self._trail.record(
                        "approval.reminder", {"after": str(approval.reminder_after)}
                    )
                    await self._notify(
                        "reminder",
                        f"Reminder: tier change for {self._state.event.customer.id} awaits"
                        " approval",
                        channels=approval.channels,
                    )
                    continue
                self._awaiting = False
                await self._end(
                    "expired",
                    f"no decision within {approval.expire_after}; nothing was changed",
                    route="approval",
                    audit=("approval.expired", {"after": str(approval.expire_after)}),
                    notice=(
                        "decision",
                        f"Tier change for {self._state.event.customer.id}: approval expired",
                    ),
                )
                await self._desk.drain("approval expired")
                return False
            outcome = await self._apply(self._desk.inbox.pop(0))
            if outcome is None:
                continue
            self._awaiting = False
            await self._desk.drain("a decision was already made")
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
        record = DecisionRecord(
            kind=pending.kind,
            actor=pending.actor,
            accepted=True,
            reason=reason,
            at=workflow.now(),
            channel=pending.channel,
            comment=getattr(decision, "comment", ""),
            details=[f"dry run shown: {self._state.dry_run is not None}"],
            proof=pending.proof,
        )
        self._state.decisions.append(record)
        count("vouchflow_decisions", {"kind": pending.kind, "accepted": True})
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
