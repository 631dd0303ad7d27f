"""Waiting for a person: confirm or correct the classification (signal or `decide`
update, each with a verified token), refusals, and the reminder and expiry timers."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.triage.activities import CorrectionStored
    from schemas.triage.decisions import (
        ConfirmSignal,
        CorrectionRecord,
        CorrectSignal,
        TriageDecisionRequest,
    )
    from vouchflow.triage.rules import apply_correction, confirmed
    from workflows.common.decision_desk import Decisions, PendingDecision
    from workflows.common.decision_intake import decide_reader
    from workflows.common.failures import failure_message
    from workflows.triage.options import STORE
    from workflows.triage.steps import TriageSteps

DECISIONS = Decisions(
    kinds={"confirm": ConfirmSignal, "correct": CorrectSignal},
    queued=frozenset({"confirm", "correct"}),
    read_request=decide_reader(TriageDecisionRequest.model_validate),
)


class ReviewSteps(TriageSteps):
    def _gate(self, kind: str) -> str | None:
        if self._waiting.open:
            return None
        return f"not awaiting review (status: {self._state.status})"

    async def _review(self) -> bool:
        """Wait for a person. True = confirmed or corrected (re-routed), False = ended."""
        review = self._policy.review
        route = self._state.route
        assert route is not None
        ticket = self._state.event.ticket.id
        self._set_status("awaiting_approval", "; ".join(route.reasons))
        await self._waiting.begin(
            lambda: self._notify(
                "approval_request",
                f"Ticket {ticket}: confirm or correct the classification",
                channels=review.channels,
                with_buttons=True,
            )
        )

        async def remind(kind: str) -> None:
            self._state.reminders_sent += 1
            await self._trail.record("review.reminder", {"after": str(review.reminder_after)})
            await self._notify(
                "reminder", f"Reminder: ticket {ticket} awaits review", channels=review.channels
            )

        async def expire() -> str:
            await self._end(
                "expired",
                f"no review within {review.expire_after}; the ticket stays in the"
                f" {route.queue} queue",
                audit=("review.expired", {"after": str(review.expire_after)}),
                notice=("decision", f"Ticket {ticket}: review expired"),
            )
            return "review expired"

        decided = await self._waiting.until_decided(
            [(review.reminder_after, "reminder"), (review.expire_after, "expiry")],
            apply=self._decide,
            on_timer=remind,
            on_expiry=expire,
            history_is_long=self._history_is_long,
            continue_as_new=self._continue_as_new,
        )
        return decided is not None

    async def _decide(self, pending: PendingDecision) -> str | None:
        """Apply one decision: its kind, or None = refused (keep waiting)."""
        assert self._state.classification is not None
        original = self._state.classification.classification
        reviewers = self._policy.review.reviewers
        if reviewers and pending.actor not in reviewers:
            await self._desk.refuse_pending(pending, f"{pending.actor} is not a triage reviewer")
            return None
        decision = pending.decision
        details: list[str] = []
        if isinstance(decision, CorrectSignal):
            try:
                final = apply_correction(
                    original,
                    category=decision.category,
                    urgency=decision.urgency,
                    reason=f"corrected by {pending.actor}: {decision.reason}",
                )
            except ValueError as err:
                await self._desk.refuse_pending(pending, str(err))
                return None
            details = [
                f"{field}: {getattr(original, field)} -> {getattr(final, field)}"
                for field in ("category", "urgency")
                if getattr(original, field) != getattr(final, field)
            ]
            await self._record_correction(pending, original, final, decision.reason)
            reason = decision.reason
        else:
            final = confirmed(original, pending.actor)
            reason = "classification confirmed"
        record = self._desk.record_accepted(pending, reason, details=details)
        await self._trail.record(f"decision.{pending.kind}ed", record.model_dump(mode="json"))
        self._state.final = final
        self._state.reviewed_by = pending.actor
        route = self._route(reviewed=True)
        self._state.route = route
        # Audit before effect: the route after the review, before anything is stored.
        await self._trail.record(
            "decision.routed",
            {
                "step": "final",
                "route": route.model_dump(mode="json"),
                "classification": final.model_dump(mode="json"),
                "reviewed_by": pending.actor,
                "plan": self._plan,
            },
        )
        self._desk.answer(pending, True, f"routed to {route.queue}")
        return pending.kind

    async def _record_correction(
        self, pending: PendingDecision, original: Any, final: Any, reason: str
    ) -> None:
        info = workflow.info()
        assert self._state.classification is not None
        correction = CorrectionRecord(
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            ticket_id=self._state.event.ticket.id,
            original=original,
            corrected=final,
            reason=reason,
            reviewer=pending.actor,
            proof=pending.proof,
            channel=pending.channel,
            at=workflow.now(),
            classifier=self._state.classification.classifier.name,
            idempotency_key=f"{info.workflow_id}:correction{self._state.effect_suffix}",
            ticket=self._state.event.ticket,
            plan=self._plan,
        )
        self._state.correction = correction
        await self._trail.record("classification.corrected", correction.model_dump(mode="json"))
        await self._trail.intent("record_correction", {"key": correction.idempotency_key})
        try:
            stored = await workflow.execute_activity(
                "record_triage_correction", correction, result_type=CorrectionStored, **STORE
            )
        except ActivityError as err:
            # The correction is in the audit log and the state; the store copy is for evals.
            await self._trail.outcome("record_correction", "failed", failure_message(err))
            return
        await self._trail.outcome(
            "record_correction",
            "done",
            "stored" if stored.created else "already stored",
            ref=stored.correction_id,
        )

    # Defined by IntakeSteps (see workflow.py's TriageWorkflow bases).
    @property
    def _plan(self) -> str:
        raise NotImplementedError

    def _route(self, *, reviewed: bool) -> Any:
        raise NotImplementedError
