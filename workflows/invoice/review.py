"""Waiting for a person: approve / reject (with corrections or an override), refused
decisions, and the reminder, escalation and expiry timers."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.common.decisions import (
        ApproveSignal,
        CancelEmailSignal,
        DecisionReply,
        DecisionRequest,
        RejectSignal,
        RevertSignal,
    )
    from schemas.invoice.assessment import Assessment
    from schemas.invoice.workflow import ApprovalCheckInput, ApprovalCheckResult
    from workflows.common.decision_desk import Decisions, PendingDecision, Proven
    from workflows.common.decision_intake import decide_reader
    from workflows.common.failures import failure_message
    from workflows.common.options import QUICK
    from workflows.invoice.reconcile import ReconcileSteps
    from workflows.invoice.steps import Requested

# The decisions an invoice takes: approve and reject are applied in order by the review
# loop; cancel_email and revert act at once.
DECISIONS = Decisions(
    kinds={
        "approve": ApproveSignal,
        "reject": RejectSignal,
        "cancel_email": CancelEmailSignal,
        "revert": RevertSignal,
    },
    queued=frozenset({"approve", "reject"}),
    read_request=decide_reader(DecisionRequest.model_validate),
)


class ReviewSteps(ReconcileSteps):
    async def _review(self) -> bool:
        """Wait for a human. True = approved (go on to post), False = ended here."""
        review = self._policy.review
        assert self._state.assessment is not None
        why = "; ".join(self._state.assessment.decision.reasons)
        self._set_status("awaiting_approval", why)

        async def nudge(kind: str) -> None:
            if kind == "reminder":
                self._state.reminders_sent += 1
                await self._trail.record("review.reminder", {"after": str(review.reminder_after)})
                await self._notify(
                    "reminder",
                    "Reminder: approval still needed",
                    channels=review.review_channels,
                )
            else:
                self._state.escalated = True
                await self._trail.record(
                    "review.escalated",
                    {"after": str(review.escalation_after), "to": review.escalation_channels},
                )
                await self._notify(
                    "escalation",
                    "Escalation: approval overdue",
                    channels=review.escalation_channels,
                )
            self._set_status("awaiting_approval", why)

        async def expire() -> str:
            await self._end(
                "expired",
                f"no decision within {review.expire_after}; no draft created",
                audit=("review.expired", {"after": str(review.expire_after)}),
                notice=("decision", "Expired without a decision"),
                update=True,
            )
            return "review expired"

        await self._waiting.begin(
            lambda: self._notify(
                "approval_request",
                "Approval needed",
                with_buttons=True,
                channels=review.review_channels,
            )
        )
        approved = await self._waiting.until_decided(
            [
                (review.reminder_after, "reminder"),
                (review.escalation_after, "escalation"),
                (review.expire_after, "expiry"),
            ],
            apply=self._decide,
            on_timer=nudge,
            on_expiry=expire,
            history_is_long=self._history_is_long,
            continue_as_new=lambda: self._continue_as_new("review"),
        )
        return bool(approved)

    async def _decide(self, pending: PendingDecision) -> bool | None:
        """Apply one decision. None = refused (keep waiting); True/False = approved/rejected."""
        assert self._state.assessment is not None
        signal, actor = pending.decision, pending.actor
        now = workflow.now()
        if isinstance(signal, RejectSignal):
            check = await self._check("reject", actor, self._state.assessment)
            if not check.allowed:
                await self._desk.refuse_pending(pending, check.reason)
                return None
            record = self._desk.record_accepted(pending, signal.reason, at=now)
            await self._trail.record("decision.rejected", record.model_dump(mode="json"))
            self._set_status("rejected", f"rejected by {actor}: {signal.reason}")
            self._desk.answer(pending, True, signal.reason)
            await self._notify("decision", "Rejected", update=True)
            return False

        assessment = self._state.assessment
        details: list[str] = []
        if signal.corrections:
            try:
                assessment = await self._assess_corrections(signal.corrections)
            except ActivityError as err:
                await self._desk.refuse_pending(pending, failure_message(err))
                return None
            errors = [f.message for f in assessment.findings if f.severity == "error"]
            if errors and not signal.override_errors:
                await self._desk.refuse_pending(
                    pending, "corrections do not validate: " + "; ".join(errors)
                )
                return None
            details.append("corrections re-validated: " + ", ".join(sorted(signal.corrections)))
            details += self._reconciliation_details(signal.corrections)
        check = await self._check(
            "approve", actor, assessment, override_errors=signal.override_errors
        )
        if not check.allowed:
            await self._desk.refuse_pending(pending, check.reason)
            return None
        if signal.override_errors and assessment.errors:
            details.append(
                "override of validation errors: " + "; ".join(f.message for f in assessment.errors)
            )
        if signal.corrections:
            self._state.assessment = assessment
            self._publish()
        record = self._desk.record_accepted(
            pending, check.reason, details=details, corrections=signal.corrections, at=now
        )
        await self._trail.record("decision.approved", record.model_dump(mode="json"))
        self._desk.answer(pending, True, check.reason)
        return True

    async def _assess_corrections(self, corrections: dict[str, Any]) -> Assessment:
        assert self._state.extraction is not None
        corrected = await self._assess(self._state.extraction, corrections=corrections)
        return self._keep_reconciliation(corrected)

    async def _check(
        self, decision: str, reviewer: str, assessment: Assessment, *, override_errors: bool = False
    ) -> ApprovalCheckResult:
        submitted_by = self._state.event.submitted_by
        if self._state.event.submitter_token:
            # A submit token was offered: only a proven submitter counts for four-eyes.
            submitted_by = self._state.submitter or ""
        return await workflow.execute_activity(
            "check_approval",
            ApprovalCheckInput(
                reviewer=reviewer,
                submitted_by=submitted_by,
                assessment=assessment,
                policy=self._policy.invoice_policy(),
                decision="approve" if decision == "approve" else "reject",
                override_errors=override_errors,
            ),
            result_type=ApprovalCheckResult,
            **QUICK,
        )

    def _gate(self, kind: str) -> str | None:
        """Why the workflow cannot take this kind of decision now (None = it can)."""
        if kind in ("approve", "reject"):
            return None if self._waiting.open else self._not_reviewable()
        if kind == "revert" and (
            self._state.draft_bill is None or self._state.status not in ("drafted",)
        ):
            return f"nothing to revert: status is {self._state.status}"
        if kind == "cancel_email" and self._state.email_state not in ("none", "scheduled"):
            return f"no email to cancel: it is {self._state.email_state}"
        return None

    def _not_reviewable(self) -> str:
        return f"not awaiting approval (status: {self._state.status})"

    async def _accept_now(
        self, kind: str, decision: Any, proven: Proven, wait: bool
    ) -> DecisionReply:
        """cancel_email and revert act at once (the effects steps carry them out)."""
        reason = str(getattr(decision, "reason", ""))
        if kind == "cancel_email":
            if self._cancel_email is None:
                self._cancel_email = Requested(proven.actor, reason, proven.proof)
            return self._desk.reply(kind, True, proven.actor, "the email will not be sent")
        if self._revert is None:
            self._revert = Requested(proven.actor, reason, proven.proof)
        if wait:
            await workflow.wait_condition(lambda: self._state.status != "drafted")
        return self._desk.reply(kind, True, proven.actor, self._state.status_reason)

    async def _notify_refusal(self, kind: str, actor: str, reason: str) -> None:
        if self._policy_snapshot is not None and kind in ("approve", "reject"):
            await self._notify("approval_refused", f"{kind.title()} by {actor} refused", [reason])
